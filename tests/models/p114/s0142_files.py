"""Hand-built S0142 and C0421 files, written record by record from S0142_LAYOUT.md.

Every value here is typed by hand in the tests; the trailer comes from `record_checksum`,
the one-record reference implementation of the IDD checksum (the reader uses the numpy one).
"""

from __future__ import annotations

import gzip
from pathlib import Path

from models.p114.writer import trailer_for

SRH = "SRH|{date}|R3|1|2|{date}|2|166705|NGC|"
BPH = "BPH|{date}|R3|1|2|{date}|2|166705|{party}|"


def spi(period: int) -> str:
    fields = [""] * 53
    values = {
        1: str(period),
        2: "75.13",
        3: "75.13",
        4: "N",
        5: "-17300.5",
        6: "17770.25",
        7: "12.5",
        8: "0",
        9: "0",
        11: "-100.5",
        12: "T",
        13: "10",
        14: "0.1",
        18: "0",
        22: "0",
        23: "-250.125",
        24: "300",
        44: "6000",
    }
    if period == 1:
        values[53] = "87.21"
    for position, value in values.items():
        fields[position - 1] = value
    return "SPI|" + "|".join(fields) + "|"


def ssd(version: str) -> str:
    fields = [""] * (80 if version == "014" else 79)
    values = {
        1: "0",
        2: "-1234.56",
        3: "0",
        4: "0",
        5: "75.13",
        6: "75.13",
        7: "N",
        8: "897.75",
        9: "-4500.2",
        10: "-12.34",
        11: "-250.125",
        13: "-200",
        14: "30000.5",
        16: "300",
        18: "-120.75",
        19: "-100.5",
        23: "280",
        24: "-60.125",
        25: "25000.125",
        26: "-55.5",
        27: "0",
        34: "0",
        35: "0",
        36: "12.5",
        37: "0",
        38: "1.5",
        63: "F",
        66: "6000",
    }
    for position, value in values.items():
        fields[position - 1] = value
    return "SSD|" + "|".join(fields) + "|"


def bp7(unit: str, version: str, qm: str, cnd: str = "0") -> str:
    fields = [
        unit,
        "0",
        cnd,
        "100",
        "0",
        "0",
        "98.5",
        qm,
        "0",
        "-1.5",
        "0.0123457",
        "1.0123457",
        "Coryton LG Trading Unit",
        "150.25",
        "0",
        "",
        "0",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    if version == "014":
        fields += ["", ""]
    return "BP7|" + "|".join(fields) + "|"


def s0142_records(
    settlement_date: str = "20260217", periods: int = 48, version: str = "013"
) -> list[str]:
    """A two-party S0142 with every record type (the system block's BM unit records once)."""
    lines = [
        f"AAA|S0142{version}|D|20260922224432|SA|UKDC|PB|PORTAL|41697|OPER|",
        SRH.format(date=settlement_date),
    ]
    for j in range(1, periods + 1):
        lines += [spi(j), "MD1|APXMIDP|25|80.5|1200.125|", "MD1|N2EXMIDP|25|||"]
        if j == 1:
            lines.append(
                "DB1|1|-1500.25|-20.5|-20.5|0|-20.5|T|F||BKW Energie AG|IND-MFTE1|Tendered|Energy|"
            )
        lines += [
            "TRA|Coryton LG Trading Unit|-12.345|",
            "BPI|T_GEN-1|DEFAULT__A|100|99.5|1.0123457|0|",
        ]
        if j == 1:
            lines += [
                "MEL|0|400|30|400|",
                "MIL|0|-50|30|-50|",
                "RUE|10.5|200|5.5|||",
                "RUI|3|||||",
                "RDE|12|||||",
                "RDI|4.5|||||",
                "BO4|1|-10|85.5|0|10.5|||10.5|0|0|0|0|10.5|0|897.75|",
                "BO3|12345|20260217003800|F|T|F|F|||",
                "BO6|-5|0|10|50.25|",
                "BO7|1||10.5|",
            ]
        lines.append("BPI|2__AALAB000||-5|-4.25|1|0|")
    apc_extra = "|" if version == "014" else ""
    for party in ("GEN1", "SUP1"):
        lines += [
            BPH.format(date=settlement_date, party=party),
            f"APC|0|897.75|-4500.2|0|-12.34|-55.5|0||||||{apc_extra}",
        ]
        ppc_extra = "|" if version == "014" else ""
        for j in range(1, periods + 1):
            lines += [
                f"SP7|{j}|",
                f"PPC|0|897.75|-4500.2|0|-12.34|-55.5|||||{ppc_extra}",
                ssd(version),
                "MD2|APXMIDP|25|80.5|1200.125|",
                "MD2|N2EXMIDP|25|||",
            ]
            if j == 1:
                lines.append(
                    "DB2|1|-1500.25|-20.5|-20.5|0|-20.5|T|F||BKW Energie AG|IND-MFTE1|Tendered|"
                    "Energy|"
                )
            if party == "GEN1":
                lines += [
                    "APD|P|0|-4500.2|0|-55.5|-10|0|-60.125|99.5|0.0039801|0|0|0|0|",
                    "APB|T_GEN-1|99.5|0|100|",
                    bp7("T_GEN-1", version, "99.5", "-12.34"),
                    "MVR|SUP1|C|-2.5|-2.5|0|",
                ]
            else:
                lines += [
                    "APD|C|0|12.25|0|-3.5|10|0|14.75|-4.25|0.00017|0|0|0|0|",
                    "APB|2__AALAB000|-4.25|0|100|",
                    bp7("2__AALAB000", version, "-4.25"),
                ]
    return lines


def c0421_records(periods: int = 48) -> list[str]:
    lines = ["AAA|C0421002|D|20190327075556|CD|UKDC|PB|PORTAL|351297|OPER|"]
    for unit, flag in (("T_GANW-11", "E"), ("I_IEG-FRAN1", "I")):
        lines.append(f"ABV|{unit}|20190324|II|1|20190326|")
        for j in range(1, periods + 1):
            estimate = "T" if (unit, j) == ("T_GANW-11", 31) else "F"
            lines.append(f"ABP|{j}|{estimate}|{17.461 if j == 31 else j}|{flag}|")
    return lines


def framed(records: list[str]) -> list[str]:
    return [*records, trailer_for(records)]


def write(
    path: Path, lines: list[str], crlf: bool = False, bom: bool = False, compress: bool = False
) -> Path:
    data = ("\r\n" if crlf else "\n").join(lines).encode("ascii") + (b"\r\n" if crlf else b"\n")
    if bom:
        data = b"\xef\xbb\xbf" + data
    if compress:
        data = gzip.compress(data)
    path.write_bytes(data)
    return path
