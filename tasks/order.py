"""Manual order, for lists among a user's lists and tasks among their siblings.

Items are ordered by an integer position, then id. Positions leave gaps:
a new item goes one POSITION_STEP after the last, and a move takes the
midpoint between its new neighbours, so it writes the moved item alone,
until two neighbours are adjacent numbers; then that group is renumbered
(rare: after about 16 moves into the same gap).
"""

POSITION_STEP = 1 << 16


def position_between(before: int | None, after: int | None) -> int | None:
    """A position strictly between two neighbours' (None: no neighbour on that side),
    or None when there is none (adjacent or equal numbers): renumber."""
    if before is None and after is None:
        return POSITION_STEP
    if before is None:
        return after - POSITION_STEP
    if after is None:
        return before + POSITION_STEP
    if after - before < 2:
        return None
    return (before + after) // 2


def last_position(last: int | None) -> int:
    """The position of an item put after the last of its group (None: the group is empty)."""
    return (last or 0) + POSITION_STEP


def renumbered(order: list, current: dict) -> dict:
    """New positions for the items of `order` (ids, in their new order): a POSITION_STEP
    apart, for those whose position (in `current`, absent for the moved one) changes."""
    return {
        pk: number * POSITION_STEP
        for number, pk in enumerate(order, start=1)
        if current.get(pk) != number * POSITION_STEP
    }
