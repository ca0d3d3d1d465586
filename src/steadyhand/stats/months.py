"""Calendar months as the statistics layer names them: the first day of the month."""

from datetime import date


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_range(start: date, end: date) -> list[date]:
    """Every month from ``start``'s to ``end``'s, both included."""
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = next_month(current)
    return months
