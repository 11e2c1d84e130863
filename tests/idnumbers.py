"""Valid Swedish identity numbers for tests, with the check digit computed (never hard-coded)."""

from datetime import date


def luhn_digit(nine: str) -> str:
    """The check digit for the nine digits YYMMDDNNN."""
    total = 0
    for i, ch in enumerate(nine):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def number(birth: date, serial: str = "123", form: str = "12-", coordination: bool = False) -> str:
    """A valid number for someone born on ``birth``. ``serial`` is the three digits before the check
    digit (the last of them gives the sex: odd M, even K). ``form``: "12-" YYYYMMDD-NNNN, "12"
    YYYYMMDDNNNN, "10-" YYMMDD-NNNN, "10+" YYMMDD+NNNN."""
    day = birth.day + (60 if coordination else 0)
    yymmdd = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}"
    last4 = serial + luhn_digit(yymmdd + serial)
    century = f"{birth.year // 100:02d}"
    return {"12-": f"{century}{yymmdd}-{last4}", "12": f"{century}{yymmdd}{last4}",
            "10-": f"{yymmdd}-{last4}", "10+": f"{yymmdd}+{last4}"}[form]


def with_bad_check_digit(valid: str) -> str:
    return valid[:-1] + str((int(valid[-1]) + 1) % 10)
