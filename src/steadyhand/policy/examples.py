"""Two example policies for demonstrations and for agencies that want a starting point.

Written for Steadyhand; they are not the policy of any real agency and are not legal advice.
Every document and its summary say so, so that an example is never mistaken for an adopted
policy. ``services.policy_seed_examples`` creates them as published version 1.
"""

from dataclasses import dataclass

from steadyhand.agencies.models import Rank
from steadyhand.policy.models import PolicyKind

EXAMPLE_NOTICE = (
    "EXAMPLE POLICY written for Steadyhand's demonstration. It is not the policy of any real "
    "agency and is not legal advice; replace it with your agency's own adopted text."
)

SWORN_RANKS = tuple(r.value for r in Rank if r != Rank.CIVILIAN)


@dataclass(frozen=True)
class ExampleDocument:
    code: str
    title: str
    kind: str
    applies_to_ranks: tuple[str, ...]
    summary: str
    sections: tuple[tuple[str, str, str], ...]  # (number, heading, text)


DE_ESCALATION = ExampleDocument(
    code="EX-DE-1",
    title="De-escalation (example policy)",
    kind=PolicyKind.DE_ESCALATION,
    applies_to_ranks=(),  # every member, sworn or civilian
    summary=f"First version. {EXAMPLE_NOTICE}",
    sections=(
        (
            "1",
            "Purpose",
            f"{EXAMPLE_NOTICE}\n\n"
            "This policy sets out how members slow down and calm encounters so that force is "
            "needed less often and, when it is needed, less of it is used. It applies to every "
            "contact with the public, from the first moment of contact.",
        ),
        (
            "2",
            "Definitions",
            "De-escalation means actions taken to lower the intensity of an encounter and to "
            "gain voluntary compliance, such as communicating, creating time and distance, and "
            "using cover. Time, distance and cover means putting space or an object between the "
            "member and a person so that there is time to think, talk and call for help.",
        ),
        (
            "3",
            "Duty to de-escalate",
            "When it is safe and feasible to do so, members shall use de-escalation before and "
            "during any use of force. Members shall keep reassessing the situation as it "
            "changes and shall move to less force, or no force, as soon as the situation "
            "allows. A member is not required to wait for harm to occur before acting.",
        ),
        (
            "4",
            "Communication and tactics",
            "Members shall identify themselves, explain what they are doing and why, give one "
            "clear instruction at a time, and allow the person time to respond. Where possible, "
            "one member speaks for the team. Members shall consider slowing the pace of the "
            "encounter, widening the distance, using cover, and calling for additional "
            "resources rather than closing in.",
        ),
        (
            "5",
            "People in crisis or with a disability",
            "A person's failure to comply may be caused by a mental-health crisis, a medical "
            "condition, intoxication, deafness, limited English or fear. Members shall consider "
            "these possibilities, adapt how they communicate, and request a crisis-intervention "
            "trained member or a mental-health co-responder when one is available.",
        ),
        (
            "6",
            "Supervision, review and training",
            "Supervisors shall respond to calls where force is likely when they are able to, "
            "and shall review every use of force for whether de-escalation was attempted. The "
            "agency shall provide de-escalation training at the academy and every year in "
            "service, with at least as many hours as use-of-force training.",
        ),
    ),
)

USE_OF_FORCE = ExampleDocument(
    code="EX-UOF-1",
    title="Use of force (example policy)",
    kind=PolicyKind.USE_OF_FORCE,
    applies_to_ranks=SWORN_RANKS,
    summary=f"First version. {EXAMPLE_NOTICE}",
    sections=(
        (
            "1",
            "Purpose and principles",
            f"{EXAMPLE_NOTICE}\n\n"
            "The agency values every human life. Members use force only when it is needed to "
            "achieve a lawful purpose, and no more force than that purpose requires. This "
            "policy is read together with the de-escalation policy.",
        ),
        (
            "2",
            "When force may be used",
            "Force must be objectively reasonable, necessary and proportional to the threat "
            "that the person presents at that moment, judged by what the member knew at the "
            "time. The seriousness of the offence, whether the person is armed, and whether the "
            "person is actively resisting or trying to flee shall all be considered.",
        ),
        (
            "3",
            "Deadly force",
            "Deadly force may be used only to protect the member or another person from an "
            "imminent threat of death or serious bodily injury, and only when other options "
            "are not reasonably available. Where feasible, members shall give a warning first.",
        ),
        (
            "4",
            "Duty to intervene",
            "A member who sees another member use force that is clearly beyond what is "
            "reasonable shall, when it is safe to do so, act to stop it and shall report it to "
            "a supervisor as soon as possible. Rank does not excuse anyone from this duty.",
        ),
        (
            "5",
            "Medical aid",
            "After any use of force, members shall check the person for injury, provide first "
            "aid within their training, and call for medical help when a person is injured, "
            "complains of injury or asks for medical attention.",
        ),
        (
            "6",
            "Reporting and review",
            "Every use of force above unresisted handcuffing shall be reported before the end "
            "of the shift, describing the encounter from first contact, including the "
            "de-escalation attempted. A supervisor shall review each report and forward it "
            "through the chain of command.",
        ),
    ),
)

EXAMPLE_DOCUMENTS: tuple[ExampleDocument, ...] = (DE_ESCALATION, USE_OF_FORCE)
