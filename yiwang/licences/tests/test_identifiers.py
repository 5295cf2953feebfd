"""GB/T 36904 identifiers: the STANDARDS example, round trips, every error, MOD 37,36 detection."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from yiwang.licences import identifiers
from yiwang.licences.identifiers import ALPHABET, LicenceIdentifier, check_character, parse

EXAMPLE = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F"
TYPE_CODE = "11100000000013338W032"
ISSUER = "11220000013544541J"


@pytest.fixture(autouse=True)
def english():
    """Messages are checked in the code's language (the Chinese catalogue comes later)."""
    with translation.override("en"):
        yield


def with_check(*parts: str) -> str:
    """An identifier of these parts with the right check character (when it has one)."""
    try:
        check = check_character("".join(parts))
    except ValueError:  # a character outside the alphabet: parsing stops before the check
        check = "0"
    return ".".join((identifiers.ROOT, *parts, check))


# --- the example and round trips ----------------------------------------------------------


def test_standards_example_reproduces_its_check_character():
    assert check_character(TYPE_CODE + ISSUER + "2430599" + "001") == "F"
    identifier = parse(EXAMPLE)
    assert identifier == LicenceIdentifier(TYPE_CODE, ISSUER, "2430599", "001")
    assert identifier.check == "F"
    assert str(identifier) == EXAMPLE


def test_example_codes_are_valid_unified_social_credit_codes():
    assert uscc.is_valid(TYPE_CODE[:18]) and uscc.is_valid(ISSUER)


def test_build_normalises_and_round_trips():
    built = LicenceIdentifier.build(TYPE_CODE.lower(), ISSUER.lower(), 2430599, 1)
    assert str(built) == EXAMPLE
    assert LicenceIdentifier.build(TYPE_CODE, ISSUER, "ab12", "007").serial == "AB12"
    assert parse(str(built)) == built


def test_parse_takes_small_letters_and_surrounding_spaces():
    assert str(parse(f"  {EXAMPLE.lower()}\n")) == EXAMPLE


def test_next_version_references_the_same_licence():
    first = parse(EXAMPLE)
    second = first.next_version()
    assert (second.type_code, second.issuer_code, second.serial) == (TYPE_CODE, ISSUER, "2430599")
    assert second.version == "002"
    assert str(second) == with_check(TYPE_CODE, ISSUER, "2430599", "002")
    assert parse(str(second)) == second
    assert LicenceIdentifier(TYPE_CODE, ISSUER, "1", "099").next_version().version == "100"


def test_no_version_after_999():
    last = LicenceIdentifier(TYPE_CODE, ISSUER, "1", "999")
    with pytest.raises(identifiers.VersionError, match="no version after 999"):
        last.next_version()


def test_instances_are_always_valid():
    with pytest.raises(identifiers.IssuerCodeError):
        LicenceIdentifier(TYPE_CODE, "not a code", "1")
    with pytest.raises(identifiers.VersionError):
        LicenceIdentifier.build(TYPE_CODE, ISSUER, "1", 1000)
    with pytest.raises(identifiers.VersionError):
        LicenceIdentifier.build(TYPE_CODE, ISSUER, "1", 0)


# --- every error --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "F",
        EXAMPLE.replace("1.2.156.3005.2.", "1.2.156.3005.3.", 1),
        EXAMPLE.replace("1.2.156.3005.2.", "1.2.156.3005.", 1),
        "2." + EXAMPLE[2:],
        "urn:" + EXAMPLE,
        EXAMPLE.replace(".", "/"),
        "1.2.156.3005",
    ],
)
def test_wrong_prefix(text):
    with pytest.raises(identifiers.PrefixError, match=r"starts with 1\.2\.156\.3005\.2\."):
        parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "1.2.156.3005.2",
        "1.2.156.3005.2.",
        EXAMPLE[:-2],  # no check character
        EXAMPLE + ".F",
        EXAMPLE.replace(".2430599.", ".2430.599.", 1),
        EXAMPLE.replace(".2430599.", ".", 1),
    ],
)
def test_wrong_number_of_parts(text):
    with pytest.raises(identifiers.PartCountError, match=r"five parts after 1\.2\.156\.3005\.2"):
        parse(text)


@pytest.mark.parametrize(
    "type_code",
    [
        TYPE_CODE[:-1],  # 20 characters
        TYPE_CODE + "1",  # 22
        TYPE_CODE[:-3] + "03A",  # the last three are digits
        TYPE_CODE[:-3],  # the USCC alone
        "",
        TYPE_CODE[:5] + "-" + TYPE_CODE[6:],
        TYPE_CODE[:5] + " " + TYPE_CODE[6:],
    ],
)
def test_type_code_not_18_plus_3(type_code):
    with pytest.raises(identifiers.TypeCodeError, match="must be 21 characters"):
        parse(with_check(type_code, ISSUER, "2430599", "001"))


def test_type_code_with_an_invalid_unified_social_credit_code():
    # The definer's USCC with a wrong check digit, the identifier's own check made right.
    bad = "11100000000013338X032"
    assert not uscc.is_valid(bad[:18])
    with pytest.raises(identifiers.TypeCodeError, match="valid unified social credit code"):
        parse(with_check(bad, ISSUER, "2430599", "001"))


@pytest.mark.parametrize(
    "issuer",
    [
        "11220000013544541K",  # wrong USCC check character
        "11220000013544541",  # 17
        "11220000013544541J0",  # 19
        "1122000001354454IJ",  # I is not in the USCC alphabet
        "A1220000013544541J",  # the first 8 are digits
        "",
    ],
)
def test_invalid_issuer_code(issuer):
    with pytest.raises(identifiers.IssuerCodeError, match="issuing authority's unified social"):
        parse(with_check(TYPE_CODE, issuer, "2430599", "001"))


@pytest.mark.parametrize("serial", ["", "1" * 33, "24-30599", "2430 599", "２４３"])
def test_invalid_serial(serial):
    text = ".".join((identifiers.ROOT, TYPE_CODE, ISSUER, serial, "001", "F"))
    with pytest.raises(identifiers.SerialError, match="1 to 32 digits or capital letters"):
        parse(text)


def test_foreign_letters_are_not_capitalised_into_valid_ones():
    # str.upper() would make "ß" into "SS".
    valid = with_check(TYPE_CODE, ISSUER, "SS", "001")
    assert parse(valid).serial == "SS"
    with pytest.raises(identifiers.SerialError):
        parse(valid.replace(".SS.", ".ß."))


@pytest.mark.parametrize("version", ["01", "0001", "00A", "000", "", "1"])
def test_version_not_3_digits(version):
    with pytest.raises(identifiers.VersionError, match="three digits, from 001 to 999"):
        parse(".".join((identifiers.ROOT, TYPE_CODE, ISSUER, "2430599", version, "F")))


@pytest.mark.parametrize("check", ["G", "0", "Z"])
def test_wrong_check_character_does_not_reveal_the_right_one(check):
    with pytest.raises(identifiers.CheckCharacterError) as caught:
        parse(EXAMPLE[:-1] + check)
    assert str(caught.value) == (
        "The check character does not match: the identifier is mistyped or altered."
    )


@pytest.mark.parametrize("check", ["FF", "-", "*", "ß"])
def test_malformed_check_character(check):
    with pytest.raises(identifiers.CheckCharacterError, match="one digit or capital letter"):
        parse(EXAMPLE[:-1] + check)


def test_check_character_refuses_characters_outside_its_alphabet():
    for payload in ("", "abc", "12-3", "１２３"):
        with pytest.raises(ValueError, match="digits and capital letters"):
            check_character(payload)


def test_every_error_is_a_value_error():
    for error in (
        identifiers.PrefixError,
        identifiers.PartCountError,
        identifiers.TypeCodeError,
        identifiers.IssuerCodeError,
        identifiers.SerialError,
        identifiers.VersionError,
        identifiers.CheckCharacterError,
    ):
        assert issubclass(error, identifiers.IdentifierError)
        assert issubclass(error, ValueError)


# --- properties ---------------------------------------------------------------------------

USCC_TAIL = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@st.composite
def usccs(draw) -> str:
    head = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    tail = draw(st.text(alphabet=USCC_TAIL, min_size=9, max_size=9))
    return head + tail + uscc.calc_check_digit(head + tail)


@st.composite
def licence_identifiers(draw) -> LicenceIdentifier:
    definer = draw(usccs())
    number = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    serial = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=identifiers.MAX_SERIAL))
    version = draw(st.integers(min_value=1, max_value=999))
    return LicenceIdentifier.build(definer + number, draw(usccs()), serial, version)


@given(licence_identifiers())
def test_round_trip(identifier):
    text = str(identifier)
    assert parse(text) == identifier
    assert str(parse(text)) == text
    assert parse(text.lower()) == identifier


@given(licence_identifiers(), st.data())
def test_any_single_character_change_is_detected(identifier, data):
    text = str(identifier)
    # Positions of the payload (type code, issuer, serial, version) and of the check character.
    start = len(identifiers.ROOT) + 1
    positions = [i for i in range(start, len(text)) if text[i] != "."]
    at = data.draw(st.sampled_from(positions))
    new = data.draw(st.sampled_from(ALPHABET).filter(lambda c: c != text[at]))
    changed = text[:at] + new + text[at + 1 :]
    with pytest.raises(identifiers.IdentifierError):
        parse(changed)
    # And MOD 37,36 alone catches it, whatever the USCC checks would have said first.
    payload = "".join(changed[start:].split(".")[:4])
    assert check_character(payload) != changed[-1]
