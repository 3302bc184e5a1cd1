//! `pii_exposure` on hostile and unusual input: texts built to make the rule
//! quadratic or cubic (each took minutes before it was made linear) still give
//! the right findings, and digits of other scripts do not hide numbers. Speed is
//! measured in the `adversarial` group of `benches/benches/check.rs`, not here.

use sendlint::{Engine, Finding, Message, RuleId};

/// The `pii_exposure` findings of `text` under the built-in policy.
fn pii(text: &str) -> Vec<Finding> {
    let report = Engine::default().check(&Message::new(text)).unwrap();
    report
        .findings
        .into_iter()
        .filter(|f| f.rule == RuleId::PiiExposure)
        .collect()
}

fn of_type<'f>(findings: &'f [Finding], kind: &str) -> Vec<&'f Finding> {
    findings
        .iter()
        .filter(|f| f.evidence["type"] == kind)
        .collect()
}

/// Just under the default `limits.max_text_bytes` (64 KiB).
fn fill(unit: &str) -> String {
    unit.repeat(65_536 / unit.len())
}

#[test]
fn a_run_of_korean_honorifics_names_nobody() {
    // 임신 ("pregnancy") + 님: every 님 follows a Hangul run far longer than a
    // name, so no person is named (this took 16 minutes).
    let text = fill("임신님");
    assert!(text.len() <= 65_536);
    assert!(pii(&text).is_empty());
    // A real name on its own line after the run is still found.
    let text = format!("{}\n김민지님 임신 중", "임신님".repeat(7_000));
    let found = pii(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].evidence["person"], "김민지님");
}

#[test]
fn thousands_of_order_numbers_are_no_phones() {
    // "PO 1234567" is a purchase order; this took 4 minutes. The real number
    // after them is still found, at its place.
    let orders = fill("PO 1234567 ");
    let text = format!("{}Tel 0170 1234567", &orders[..orders.len() - 30]);
    let found = pii(&text);
    assert_eq!(found.len(), 1, "{:?}", &found[..found.len().min(3)]);
    assert_eq!(found[0].evidence["e164"], "+491701234567");
    let span = found[0].span.unwrap();
    assert_eq!(&text[span.start..span.end], "0170 1234567");
    // The same number after an order word is an order number.
    assert!(pii("Bestellung Nr. 0170 1234567 ist unterwegs.").is_empty());
}

#[test]
fn every_line_names_its_own_person() {
    let text = fill("Frau Keller: Hauttyp trocken\n");
    let lines = text.lines().count();
    let found = pii(&text);
    assert_eq!(found.len(), lines);
    assert!(found.iter().all(|f| f.evidence["person"] == "Frau Keller"));
    // One line without a person among them gives no finding for that line.
    let text = format!(
        "{}Hauttyp trocken\n{}",
        "Frau Keller: Hauttyp trocken\n".repeat(1_000),
        "@anna Hauttyp fettig\n".repeat(1_000)
    );
    let found = pii(&text);
    assert_eq!(found.len(), 2_000);
    assert_eq!(found[1_000].evidence["person"], "@anna");
}

#[test]
fn numbers_glued_into_soup_are_no_phones() {
    // Digits and separators without a break make one run of far more than 19
    // digits: no phone, no card.
    assert!(pii(&fill("1-2.3 4/5(6)7+8 9-0.1 ")).is_empty());
    // Numbers that are broken apart are each checked.
    let text = "0170 1234567, ".repeat(2_000);
    let phones = pii(&text);
    assert_eq!(phones.len(), 2_000);
    assert!(phones.iter().all(|f| f.evidence["e164"] == "+491701234567"));
}

#[test]
fn a_name_longer_than_any_name_is_no_person() {
    let long = format!("Frau K{} Hauttyp trocken", "e".repeat(5_000));
    assert!(pii(&long).is_empty());
    let long = format!("@{} Hauttyp trocken", "a".repeat(5_000));
    assert!(pii(&long).is_empty());
    // Names of ordinary length are found.
    let found = pii("Frau Wolfeschlegelsteinhausenbergerdorff, Hauttyp trocken");
    assert_eq!(
        found[0].evidence["person"],
        "Frau Wolfeschlegelsteinhausenbergerdorff"
    );
}

/// The matched text of each finding, checked to lie on character boundaries.
fn matched(text: &str, findings: &[&Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            let span = f.span.unwrap();
            assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            assert_eq!(span.char_start, text[..span.start].chars().count());
            assert_eq!(f.matched.as_deref(), Some(&text[span.start..span.end]));
            text[span.start..span.end].to_owned()
        })
        .collect()
}

#[test]
fn full_width_numbers_in_a_german_message() {
    let text =
        "Hallo zusammen, bei Fragen bitte Frau Keller direkt anrufen: ０１７０ １２３４５６７. \
                Die Karte ４１１１ １１１１ １１１１ １１１１ wurde abgelehnt.";
    let found = pii(text);
    let phones = of_type(&found, "phone");
    assert_eq!(matched(text, &phones), ["０１７０ １２３４５６７"]);
    assert_eq!(phones[0].evidence["e164"], "+491701234567");
    let cards = of_type(&found, "payment_card");
    assert_eq!(
        matched(text, &cards),
        ["４１１１ １１１１ １１１１ １１１１"]
    );
}

#[test]
fn full_width_numbers_in_chinese_and_japanese_messages() {
    let text = "请联系王女士：＋８６ １３８ ００１３ ８０００，谢谢。";
    let phones = pii(text);
    assert_eq!(
        matched(text, &of_type(&phones, "phone")),
        ["＋８６ １３８ ００１３ ８０００"]
    );
    assert_eq!(phones[0].evidence["e164"], "+8613800138000");

    // Full-width plus and hyphens, as a Japanese IME writes them.
    let text = "担当の田中さんの携帯は＋８１ ９０－１２３４－５６７８です。カード番号：４１１１１１１１１１１１１１１１";
    let found = pii(text);
    assert_eq!(
        matched(text, &of_type(&found, "phone")),
        ["＋８１ ９０－１２３４－５６７８"]
    );
    assert_eq!(
        of_type(&found, "phone")[0].evidence["e164"],
        "+819012345678"
    );
    assert_eq!(
        matched(text, &of_type(&found, "payment_card")),
        ["４１１１１１１１１１１１１１１１"]
    );
}

#[test]
fn digits_of_other_scripts_and_non_breaking_spaces() {
    // Arabic-Indic digits.
    let text = "للاستفسار اتصل بأحمد على +٤٩ ١٧٠ ١٢٣٤٥٦٧ مساءً";
    let found = pii(text);
    assert_eq!(
        matched(text, &of_type(&found, "phone")),
        ["+٤٩ ١٧٠ ١٢٣٤٥٦٧"]
    );
    assert_eq!(found[0].evidence["e164"], "+491701234567");
    // French typography puts narrow no-break spaces inside numbers.
    let text =
        "Appelez Julie au +33\u{202F}6\u{202F}12\u{202F}34\u{202F}56\u{202F}78 avant vendredi.";
    let found = pii(text);
    assert_eq!(found[0].evidence["e164"], "+33612345678");
    assert_eq!(
        matched(text, &of_type(&found, "phone")),
        ["+33\u{202F}6\u{202F}12\u{202F}34\u{202F}56\u{202F}78"]
    );
}

#[test]
fn full_width_numbers_that_are_no_phones_stay_quiet() {
    // A full-width date, an order number and a price are no phone numbers.
    assert!(pii("配送日：２０２６－１１－１２").is_empty());
    assert!(pii("订单号 １２３４５６７８９０ 已发货").is_empty());
    assert!(pii("Bestellung ＃１７０１２３４５６７ ist unterwegs").is_empty());
    assert!(pii("Nur １２ｋｇ schwer, Artikel 1234567ab").is_empty());
}

#[test]
fn a_message_of_thousands_of_numbers_is_still_flagged() {
    // Far more phone-like numbers than are validated per message: the first ones
    // are, and a contact dump is flagged.
    let numbers: String = (0..3000)
        .map(|i| format!("+49 170 {:07}, ", 1_234_000 + i))
        .collect();
    let phones = pii(&numbers);
    assert_eq!(of_type(&phones, "phone").len(), 50);
}
