"""What a sentence declares: synonyms, negations, conditions, ignored phrases, SDK names.

Each table has the rows that must be found and the rows that must not, like a detector's
must-flag / must-not-flag table.
"""

from __future__ import annotations

import pytest

from apptest.policy.extract import Declaration, Extractor, summary
from apptest.policy.text import to_plain
from tests.policy.conftest import POLICIES, RENTAL_POLICY


def declarations(extractor: Extractor, text: str, name: str = "p.txt") -> list[Declaration]:
    return extractor.extract(to_plain(text, name))


def data_types(extractor: Extractor, text: str) -> dict[str, tuple[str, str | None]]:
    """data type -> (polarity, broad group) of its first mention."""
    out: dict[str, tuple[str, str | None]] = {}
    for dec in declarations(extractor, text):
        if dec.kind == "data_type":
            out.setdefault(dec.value, (dec.polarity, dec.detail.get("broad")))
    return out


@pytest.mark.parametrize(
    ("text", "data_type", "polarity"),
    [
        ("我们会收集您的设备标识符（IMEI）。", "device.imei", "affirmed"),
        ("我们会获取您的国际移动设备识别码。", "device.imei", "affirmed"),
        ("我们会收集安卓ID。", "device.android_id", "affirmed"),
        ("我们会收集您的ＯＡＩＤ。", "device.oaid", "affirmed"),  # full-width letters
        ("我们会获取开放匿名设备标识符。", "device.oaid", "affirmed"),
        ("我们会读取您的剪贴板。", "clipboard", "affirmed"),
        ("在您使用口令功能时读取剪切板内容。", "clipboard", "affirmed"),
        ("我们会获取您的地理位置。", "location.precise", "affirmed"),
        ("我们会获取您的地理位置。", "location.coarse", "affirmed"),
        ("我们会收集已安装应用列表。", "apps.installed", "affirmed"),
        ("我们会收集您的SIM卡序列号。", "device.iccid", "affirmed"),
        ("We collect your Android ID and the list of installed apps.", "device.android_id", "affirmed"),
        ("We collect your Android ID and the list of installed apps.", "apps.installed", "affirmed"),
        ("We access your clipboard when you paste a link.", "clipboard", "affirmed"),
        ("我们不会收集您的通讯录。", "contacts", "negated"),
        ("我们不会收集您的通讯录、短信。", "sms", "negated"),
        ("We do not collect your contacts, call logs or SMS.", "sms", "negated"),
        ("We never read your address book.", "contacts", "negated"),
        ("如您不授权位置权限，我们将无法为您推荐附近房源。", "location.precise", "conditional"),
        ("If you do not allow camera access, you will not be able to scan.", "camera", "conditional"),
        ("我们不会在未经您同意的情况下读取您的剪切板。", "clipboard", "affirmed"),
        ("We will not read your clipboard without your consent.", "clipboard", "affirmed"),
        ("包括但不限于设备序列号、OAID。", "device.serial", "affirmed"),
        ("我们不会收集您的通讯录，但会收集您的位置信息。", "location.coarse", "affirmed"),
    ],
)
def test_data_type_is_declared(extractor: Extractor, text: str, data_type: str, polarity: str) -> None:
    found = data_types(extractor, text)
    assert data_type in found, found
    assert found[data_type][0] == polarity


@pytest.mark.parametrize(
    ("text", "data_type"),
    [
        ("我们会向您的手机号发送短信验证码。", "sms"),  # sending a code is no reading of SMS
        ("We send SMS verification codes.", "sms"),
        ("我们会记录您的IP地址。", "contact.address"),
        ("我们会收集您的SIM卡序列号。", "device.serial"),  # the longer ICCID term wins
        ("AMap Location SDK is used for maps.", "location.coarse"),  # an SDK name, not a data type
        ("我们会收集设备信息（IMEI、Android ID）。", "device.serial"),  # broad term narrowed
        ("联系邮箱：privacy@example.com", "contact.email"),  # the operator's address, not a collection
        ("You can adjust your settings.", "device.gaid"),
    ],
)
def test_data_type_is_not_declared(extractor: Extractor, text: str, data_type: str) -> None:
    assert data_type not in data_types(extractor, text)


def test_broad_terms_are_kept_as_broad(extractor: Extractor) -> None:
    found = data_types(extractor, "极光推送 SDK：收集设备信息、网络信息、已安装应用列表。")
    assert found["device.mac"] == ("affirmed", "device_information")
    assert found["network.wifi_ssid"] == ("affirmed", "network_information")
    assert found["apps.installed"] == ("affirmed", None)


@pytest.mark.parametrize(
    ("text", "sdk", "match", "broad"),
    [
        ("友盟+ SDK：用于统计分析。", "umeng_analytics", "alias", False),
        ("我们接入了极光推送SDK。", "jpush", "alias", False),
        ("第三方SDK：穿山甲（北京巨量引擎网络技术有限公司）", "pangle_csj", "alias", False),
        ("包名：com.umeng.commonsdk", "umeng_analytics", "package", False),
        ("SDK: Adjust (attribution).", "adjust", "name", False),
        ("隐私政策链接：https://www.adjust.com/terms/privacy-policy/", "adjust", "policy_url", False),
        # one policy for three Jiguang SDKs names the vendor, not which product
        ("隐私政策：https://www.jiguang.cn/license/privacy", "jpush", "policy_url", True),
        ("第三方：深圳市腾讯计算机系统有限公司", "gdt_tencent_ads", "vendor", True),
    ],
)
def test_sdk_is_named(extractor: Extractor, text: str, sdk: str, match: str, broad: bool) -> None:
    found = {d.value: d for d in declarations(extractor, text) if d.kind == "sdk"}
    assert sdk in found, found
    assert found[sdk].detail["match"] == match and found[sdk].detail["broad"] is broad


@pytest.mark.parametrize(
    ("text", "sdk"),
    [
        ("You can adjust your settings at any time.", "adjust"),  # ambiguous alias, no third-party context
        ("We branch out into new markets.", "branch"),
        ("我们会收集您的GAID。", "google_ads_identifier"),  # a data type, never an SDK
        ("友盟+ SDK | 友盟同欣（北京）科技有限公司", "umeng_push"),  # vendor dropped beside a named SDK
    ],
)
def test_sdk_is_not_named(extractor: Extractor, text: str, sdk: str) -> None:
    assert sdk not in {d.value for d in declarations(extractor, text) if d.kind == "sdk"}


def test_data_types_belong_to_the_sdk_of_their_row_or_entry(extractor: Extractor) -> None:
    decs = extractor.extract(to_plain((POLICIES / "zh_plain.txt").read_text("utf-8"), "zh_plain.txt"))
    owners = {(d.value, tuple(d.detail.get("sdks") or ())) for d in decs if d.kind == "data_type"}
    assert ("phone_number", ()) in owners and ("device.serial", ()) in owners
    assert ("apps.installed", ("jpush",)) in owners and ("device.imei", ("jpush",)) in owners
    assert ("location.coarse", ("pangle_csj",)) in owners
    html = extractor.extract(to_plain((POLICIES / "zh_sdk_table.html").read_bytes(), "zh_sdk_table.html"))
    cell = [d for d in html if d.kind == "data_type" and d.value == "network.cell"]
    assert cell and cell[0].detail["sdks"] == ["amap_location"]  # the continuation row of a rowspan
    assert [d.value for d in html if d.kind == "sdk"] == ["umeng_analytics", "amap_location"]
    para = declarations(extractor, "友盟SDK：用于统计分析。该SDK会收集您的IMEI。我们会收集您的位置信息。")
    owners = {d.value: d.detail.get("sdks") for d in para if d.kind == "data_type"}
    assert owners["device.imei"] == ["umeng_analytics"] and owners["location.precise"] is None


@pytest.mark.parametrize(
    ("text", "kind", "value_start", "polarity"),
    [
        ("联系我们：privacy@example-rental.cn", "contact", "email:privacy@example-rental.cn", "affirmed"),
        ("如有投诉，请拨打客服电话：400-800-1234。", "contact", "phone:400-800-1234", "affirmed"),
        ("您可以通过App内“意见反馈”联系我们。", "contact", "cue:", "affirmed"),
        ("您可以在“设置-隐私”中删除个人信息。", "deletion", "您可以在", "affirmed"),
        ("You may request deletion of your data.", "deletion", "You may request deletion", "affirmed"),
        ("您有权要求更正您的个人信息。", "correction", "您有权要求更正", "affirmed"),
        ("You can correct your profile in Settings.", "correction", "You can correct", "affirmed"),
        ("您可以注销账号。", "cancellation", "注销账号", "affirmed"),
        ("为保障账号安全，我们会收集IMSI。", "purpose", "为保障", "affirmed"),
    ],
)
def test_statements(extractor: Extractor, text: str, kind: str, value_start: str, polarity: str) -> None:
    found = [d for d in declarations(extractor, text) if d.kind == kind]
    assert found, [d.kind for d in declarations(extractor, text)]
    assert found[0].value.startswith(value_start) and found[0].polarity == polarity


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("我们会在保存期限届满后删除您的个人信息。", "deletion"),  # retention, not a way for the user
        ("我们可能会修改本政策。", "correction"),
        ("本政策自2025年1月1日起生效。", "contact"),
    ],
)
def test_no_statement(extractor: Extractor, text: str, kind: str) -> None:
    assert not [d for d in declarations(extractor, text) if d.kind == kind]


def test_every_declaration_quotes_its_sentence_at_its_offset(extractor: Extractor) -> None:
    plain = to_plain(RENTAL_POLICY.read_bytes(), RENTAL_POLICY.name)
    decs = extractor.extract(plain)
    assert decs
    for dec in decs:
        assert plain.text[dec.offset : dec.offset + len(dec.sentence)] == dec.sentence
        assert dec.offset <= dec.detail["at"] < dec.offset + len(dec.sentence)


def test_rental_policy_declares_what_its_readme_says(extractor: Extractor) -> None:
    """The fixture declares location, IMEI, Android ID, contacts, Umeng and JPush, and not
    SMS, the clipboard, the serial number or Pangle (tests/fixtures/apks/README.md)."""
    result = summary(extractor.extract(to_plain(RENTAL_POLICY.read_bytes(), RENTAL_POLICY.name)))
    for dt in ("location.precise", "device.imei", "device.android_id", "contacts", "apps.installed"):
        assert dt in result["data_types"]
    for dt in ("sms", "clipboard", "device.serial"):
        assert dt not in result["data_types"]
    assert result["sdks"] == ["jpush", "umeng_analytics"]
