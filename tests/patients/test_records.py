"""Reading the record export: formats, Swedish headers, located problems, no identity number shown."""

from datetime import date, datetime, timedelta, timezone

import pytest

from lagesbild.calc.patient_measures import FALL, TRYCKSAR, UNDERNARING
from lagesbild.ingest.errors import InputError
from lagesbild.patients.records import header_key, load, load_paths, shown
from tests.idnumbers import number, with_bad_check_digit
from tests.patients import files
from tests.patients.files import (
    ACTION_HEADER, ASSESSMENT_HEADER, EPISODE_HEADER, write_csv, write_scenario, write_xlsx,
)

UTC = timezone.utc


def problems_of(exc: InputError) -> list[tuple]:
    return [(p.file, p.row, p.column, p.message) for p in exc.problems]


def load_rows(tmp_path, episodes=None, assessments=None, actions=None):
    paths = write_scenario(tmp_path, episodes, assessments, actions)
    return load_paths(paths["episodes"], paths["assessments"], paths["actions"])


def refused(tmp_path, **rows) -> InputError:
    with pytest.raises(InputError) as exc:
        load_rows(tmp_path, **rows)
    text = str(exc.value)
    for n in files.IDENTITY_NUMBERS:
        assert n not in text and n.replace("-", "") not in text and n.replace("-", "")[-10:] not in text
    return exc.value


def test_the_scenario_reads_into_records(tmp_path):
    records = load_rows(tmp_path)
    by_id = {e.id: e for e in records.episodes}
    assert list(by_id) == ["E1", "E2", "E3", "E4", "E5", "E6", "E7"]
    assert (by_id["E1"].age, by_id["E1"].sex, by_id["E1"].unit) == (75, "K", "AVD1")
    assert (by_id["E2"].age, by_id["E2"].sex, by_id["E2"].discharged_at) == (80, "M", None)
    assert by_id["E4"].age == 70  # the 70th birthday on the admission day
    assert by_id["E5"].age == 100 and by_id["E6"].age == 84  # "+" and a samordningsnummer
    assert by_id["E5"].admitted_at == datetime(2025, 1, 31, 22, 30, tzinfo=UTC)
    assert {a.kind for a in records.assessments} == {FALL, TRYCKSAR, UNDERNARING}
    assert [a.risk for a in records.assessments if a.episode == "E5"] == [False, False, True]
    assert len(records.actions) == 3 and records.actions[1].kind == TRYCKSAR


def test_no_identity_number_survives_in_the_records(tmp_path):
    records = load_rows(tmp_path)
    text = repr(records)
    for n in files.IDENTITY_NUMBERS:
        assert n not in text and n.replace("-", "")[-10:] not in text


def test_semicolon_cp1252_swedish_mixed_case_headers(tmp_path):
    eps = write_csv(tmp_path / "vtf.csv", [" Vårdtillfälle ", "PNR", "AVDELNING", "Inskriven", "utskrivningstid"],
                    files.EPISODES, ";", "cp1252")
    ass = write_csv(tmp_path / "bed.csv", ["VÅRDTILLFÄLLE", "Riskbedömning", "Bedömd", " Risk"], files.ASSESSMENTS,
                    ";", "cp1252")
    act = write_csv(tmp_path / "atg.csv", ["vardtillfalle", "Åtgärd", "Påbörjad"], files.ACTIONS, ";", "cp1252")
    assert b"\xe5" in ass.read_bytes()  # really cp1252 (å)
    records = load_paths(eps, ass, act)
    assert len(records.episodes) == 7 and len(records.assessments) == 11 and len(records.actions) == 3
    assert records.assessments[1].kind == TRYCKSAR


def test_comma_utf8_with_bom(tmp_path):
    eps = write_csv(tmp_path / "e.csv", ["Episode", "Personnummer", "Enhet", "Inskrivningstid", "Utskriven"],
                    files.EPISODES, ",", bom=True)
    ass = write_csv(tmp_path / "a.csv", ["Episode", "Typ", "Utförd", "Risk"], files.ASSESSMENTS, ",", bom=True)
    act = write_csv(tmp_path / "x.csv", ["Episode", "Typ", "Startad"], files.ACTIONS, ",", bom=True)
    records = load_paths(eps, ass, act)
    assert [e.id for e in records.episodes][0] == "E1" and len(records.assessments) == 11


def test_xlsx_with_excel_datetimes_and_text(tmp_path):
    rows = [["E1", files.WOMAN_75, "AVD1", datetime(2025, 1, 10, 8, 0), None],
            ["E2", files.MAN_80, "AVD1", datetime(2025, 10, 26, 2, 30), "2025-10-28 09:00"],
            ["E3", files.WOMAN_69, "AVD1", datetime(2025, 2, 1, 0, 0), datetime(2025, 2, 3, 12, 0)]]
    eps = write_xlsx(tmp_path / "e.xlsx", EPISODE_HEADER, rows)
    ass = write_xlsx(tmp_path / "a.xlsx", ASSESSMENT_HEADER, [["E1", "Fallrisk", datetime(2025, 1, 10, 9, 0), "Ja"]])
    act = write_xlsx(tmp_path / "x.xlsx", ACTION_HEADER, [["E1", "Fallrisk", "2025-01-10 10:00"]])
    records = load_paths(eps, ass, act)
    e1, e2, e3 = records.episodes
    assert e1.admitted_at == datetime(2025, 1, 10, 7, 0, tzinfo=UTC) and e1.discharged_at is None
    assert e2.admitted_at == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # the autumn night: first occurrence
    assert e3.admitted_at == datetime(2025, 1, 31, 23, 0, tzinfo=UTC)  # Excel's midnight arrives as a date
    assert records.assessments[0].performed_at == datetime(2025, 1, 10, 8, 0, tzinfo=UTC)


def test_a_date_without_a_time_is_refused_in_csv(tmp_path):
    exc = refused(tmp_path, episodes=[["E1", files.WOMAN_75, "AVD1", "2025-01-10", ""]], assessments=[], actions=[])
    assert ("episodes.csv", 2, "admitted_at") in [(p.file, p.row, p.column) for p in exc.problems]


def test_an_offset_is_taken_as_written(tmp_path):
    records = load_rows(tmp_path, episodes=[["E1", files.WOMAN_75, "AVD1", "2025-03-30T01:30:00+01:00", ""]],
                        assessments=[], actions=[])
    assert records.episodes[0].admitted_at == datetime(2025, 3, 30, 0, 30, tzinfo=UTC)


def test_age_is_on_the_local_admission_date(tmp_path):
    born = number(date(1955, 3, 15), "111")
    eps = [["A", born, "AVD1", "2025-03-15 00:30", ""],            # the 70th birthday: 70
           ["B", born, "AVD1", "2025-03-14T23:30:00Z", ""],        # 00:30 local on the birthday, 23:30 UTC the day before
           ["C", born, "AVD1", "2025-03-14 23:59", ""],            # the day before: 69
           ["D", number(date(1955, 3, 16), "111"), "AVD1", "2025-03-15 12:00", ""]]  # birthday the day after: 69
    ages = {e.id: e.age for e in load_rows(tmp_path, episodes=eps, assessments=[], actions=[]).episodes}
    assert ages == {"A": 70, "B": 70, "C": 69, "D": 69}


def test_ten_digit_century_relative_to_the_admission_date(tmp_path):
    text_minus = number(date(1925, 3, 16), "111", "10-")  # 99 on 15 March 2025
    text_plus = number(date(1925, 3, 15), "111", "10+")  # 100 on 15 March 2025
    eps = [["A", text_minus, "AVD1", "2025-03-15 12:00", ""], ["B", text_plus, "AVD1", "2025-03-15 12:00", ""]]
    ages = {e.id: e.age for e in load_rows(tmp_path, episodes=eps, assessments=[], actions=[]).episodes}
    assert ages == {"A": 99, "B": 100}


def test_a_missing_column_is_named(tmp_path):
    eps = write_csv(tmp_path / "e.csv", ["episode", "personnummer", "unit", "admitted_at"], [["E1", files.WOMAN_75,
                                                                                              "A", "2025-01-10 08:00"]])
    ass = write_csv(tmp_path / "a.csv", ["episode", "kind", "risk"], [])
    act = write_csv(tmp_path / "x.csv", ACTION_HEADER, [["E1", "fall", "2025-01-10 09:00"]])
    with pytest.raises(InputError) as exc:
        load_paths(eps, ass, act)
    found = problems_of(exc.value)
    assert ("e.csv", 1, "discharged_at") in [p[:3] for p in found]
    assert ("a.csv", 1, "performed_at") in [p[:3] for p in found]
    assert any("discharged_at" in p[3] and "saknas" in p[3] for p in found)


def test_two_columns_for_one_field(tmp_path):
    eps = write_csv(tmp_path / "e.csv", [*EPISODE_HEADER, "avdelning"], [["E1", files.WOMAN_75, "A", "2025-01-10 08:00",
                                                                          "", "B"]])
    with pytest.raises(InputError, match="två kolumner"):
        load_paths(eps, write_csv(tmp_path / "a.csv", ASSESSMENT_HEADER, []),
                   write_csv(tmp_path / "x.csv", ACTION_HEADER, []))


def test_every_problem_is_collected_and_located(tmp_path):
    bad_luhn = with_bad_check_digit(files.MAN_80)
    eps = [["E1", files.WOMAN_75, "AVD1", "2025-01-10 08:00", ""],
           ["E1", files.MAN_80, "AVD1", "2025-01-10 08:00", ""],              # row 3: duplicate id
           ["E2", bad_luhn, "AVD1", "2025-01-10 08:00", ""],                  # row 4: bad check digit
           ["E3", files.WOMAN_69, "", "2025-03-30 02:30", ""],                # row 5: no unit, spring night
           ["E4", files.MAN_70, "AVD2", "2025-02-05 07:00", "2025-02-05 06:00"],  # row 6: discharged before
           ["E5", "", "AVD2", "2025-02-05 07:00", ""]]                        # row 7: no number
    ass = [["E1", "Hudrisk", "2025-01-10 09:00", "Ja"],                       # row 2: unknown kind
           ["E9", "fall", "2025-01-10 09:00", "Ja"],                          # row 3: unknown episode
           ["E1", "fall", "2025-01-10 09:00", "Kanske"],                      # row 4: risk not Ja/Nej
           ["E1", "fall", "2025-03-30 02:15", "Nej"]]                         # row 5: spring night
    act = [["E1", "fall", "igår"], ["", "fall", "2025-01-10 09:00"]]
    exc = refused(tmp_path, episodes=eps, assessments=ass, actions=act)
    where = {(p.file, p.row, p.column) for p in exc.problems}
    assert where == {
        ("episodes.csv", 3, "episode"), ("episodes.csv", 4, "personnummer"), ("episodes.csv", 5, "unit"),
        ("episodes.csv", 5, "admitted_at"), ("episodes.csv", 6, "discharged_at"), ("episodes.csv", 7, "personnummer"),
        ("assessments.csv", 2, "kind"), ("assessments.csv", 3, "episode"), ("assessments.csv", 4, "risk"),
        ("assessments.csv", 5, "performed_at"), ("actions.csv", 2, "started_at"), ("actions.csv", 3, "episode"),
    }
    by_where = {(p.file, p.row, p.column): p for p in exc.problems}
    luhn = by_where[("episodes.csv", 4, "personnummer")]
    assert "kontrollsiffran" in luhn.message and luhn.value is None and bad_luhn not in str(luhn)
    assert "finns inte" in by_where[("episodes.csv", 5, "admitted_at")].message
    assert "finns inte" in by_where[("assessments.csv", 5, "performed_at")].message
    assert "rad 2" in by_where[("episodes.csv", 3, "episode")].message


def test_an_unreadable_admission_still_checks_the_number(tmp_path):
    exc = refused(tmp_path, episodes=[["E1", with_bad_check_digit(files.WOMAN_75), "AVD1", "i går", ""]],
                  assessments=[], actions=[])
    assert {p.column for p in exc.problems} == {"personnummer", "admitted_at"}


def test_a_value_that_looks_like_an_identity_number_is_never_echoed(tmp_path):
    # An export with the columns shifted: the identity number ends up in the episode column of the assessments.
    exc = refused(tmp_path, assessments=[[files.WOMAN_75, "fall", "2025-01-10 09:00", "Ja"],
                                         [files.WOMAN_75.replace("-", ""), "fall", "2025-01-10 09:00", "Ja"]])
    assert [p.value for p in exc.problems] == [None, None]
    assert shown("AVD1") == "AVD1" and shown("2025-01-10 09:00") == "2025-01-10 09:00"
    assert shown("x 5001011234") is None and shown("500101-1234") is None and shown("500101+1234") is None


def test_reader_problems_are_scrubbed_too(tmp_path):
    paths = write_scenario(tmp_path, assessments=[], actions=[])
    eps = paths["episodes"]  # a row with one value too many: the reader echoes the extra value
    eps.write_text("episode;personnummer;unit;admitted_at;discharged_at\n"
                   f"E1;AVD1;2025-01-10 08:00;;;{files.WOMAN_75}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_paths(eps, paths["assessments"], paths["actions"])
    assert "fler värden" in str(exc.value) and files.WOMAN_75 not in str(exc.value)


def test_a_missing_file_is_a_located_problem_with_the_others(tmp_path):
    paths = write_scenario(tmp_path, assessments=[["E1", "hud", "2025-01-10 09:00", "Ja"]])
    with pytest.raises(InputError) as exc:
        load_paths(paths["episodes"], paths["assessments"], tmp_path / "saknas.csv")
    assert {p.file for p in exc.value.problems} == {"assessments.csv", str(tmp_path / "saknas.csv")}


def test_a_header_only_file_is_valid_an_empty_file_is_not(tmp_path):
    paths = write_scenario(tmp_path, episodes=[], assessments=[], actions=[])
    records = load_paths(paths["episodes"], paths["assessments"], paths["actions"])
    assert (records.episodes, records.assessments, records.actions) == ([], [], [])
    (tmp_path / "actions.csv").write_bytes(b"")
    with pytest.raises(InputError) as exc:
        load_paths(paths["episodes"], paths["assessments"], paths["actions"])
    assert [(p.file, p.message) for p in exc.value.problems] == [("actions.csv", "filen är tom")]


def test_load_from_bytes(tmp_path):
    paths = write_scenario(tmp_path)
    records = load(*[(paths[k].read_bytes(), paths[k].name) for k in ("episodes", "assessments", "actions")])
    assert len(records.episodes) == 7


@pytest.mark.parametrize("header,key", [(" Vårdtillfälle ", "vardtillfalle"), ("Admitted at", "admitted_at"),
                                        ("PÅBÖRJAD", "paborjad"), ("risk-funnen", "risk_funnen")])
def test_header_keys(header, key):
    assert header_key(header) == key


def test_assessments_after_discharge_and_duplicates_are_accepted(tmp_path):
    records = load_rows(tmp_path, assessments=files.ASSESSMENTS + [files.ASSESSMENTS[0], ["E1", "fall",
                                                                                         "2025-02-01 09:00", "Ja"]])
    assert len(records.assessments) == 13
    assert records.assessments[-1].performed_at - records.episodes[0].discharged_at > timedelta(days=10)
