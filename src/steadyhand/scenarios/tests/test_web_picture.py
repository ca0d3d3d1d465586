"""The scene picture says everything in text as well as in shapes, and escapes what it prints."""

from steadyhand.scenarios.picture import describe, scene_svg

VIEW = {
    "distance_m": 7.0,
    "trigger_hint": "at a distance",
    "cover": True,
    "officers": 2,
    "speaking": ["You"],
    "bystanders": 3,
    "weapon": "in_hand",
}


def test_the_picture_labels_everyone_and_prints_the_distance() -> None:
    svg = str(scene_svg(VIEW))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
    for text in ("You (speaking)", "Officer 2", "Person", "Cover", "7.0 m (at a distance)",
                 "weapon in hand", "3 bystander(s)"):  # fmt: skip
        assert f">{text}<" in svg, text
    assert "style=" not in svg  # the Content-Security-Policy forbids inline styles


def test_the_description_reads_as_a_sentence() -> None:
    assert describe(VIEW) == (
        "You and 1 more officer(s) stand 7.0 metres from the person (at a distance); the person "
        "holds a weapon. You are behind cover. 3 bystander(s) nearby."
    )


def test_no_cover_no_bystanders_nothing_drawn_for_them() -> None:
    svg = str(scene_svg({**VIEW, "cover": False, "bystanders": 0, "officers": 1}))
    assert ">Cover<" not in svg
    assert "bystander" not in svg
    assert "You have no cover." in svg


def test_printed_text_is_escaped() -> None:
    svg = str(scene_svg({**VIEW, "trigger_hint": "<script>x</script>"}))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
