//! `missing_ad_label`: a promotional message (price, discount, coupon, call to
//! action, shop link, or the caller says so) without a disclosure label.
//! Seed 000: unlabelled ads raise violations by 30 %; Korean law wants `(광고)` first.

use serde_json::json;

use super::{evidence, Context};
use crate::classify::CALL_TO_ACTION;
use crate::lexicon::PhraseList;
use crate::report::{Finding, Kind, KindSource, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    if !context.kind.is_promotional() || is_labelled(context) {
        return;
    }
    // Point at the cue that decided the kind: the call to action of an ad, else
    // the first promotional cue.
    let first_cue = context
        .cues
        .all()
        .find(|c| context.kind != Kind::Ad || c.0 == CALL_TO_ACTION)
        .or_else(|| context.cues.all().next());
    let (message, cue) = match (context.kind_source, first_cue) {
        (KindSource::Classified, Some((cue, _, _))) => (
            format!(
                "this {} carries no ad label (it has a {cue} cue)",
                context.kind.as_str()
            ),
            json!(cue),
        ),
        _ => (
            format!("this {} carries no ad label", context.kind.as_str()),
            json!(null),
        ),
    };
    let cues: Vec<&str> = context.cues.all().map(|c| c.0).collect();
    findings.push(context.finding(
        RuleId::MissingAdLabel,
        first_cue.map(|(_, start, end)| (start, end)),
        message,
        evidence([
            ("kind", json!(context.kind.as_str())),
            ("kind_source", json!(context.kind_source)),
            ("cue", cue),
            ("cues", json!(cues)),
        ]),
        "Start the message with a label such as \"Anzeige:\", \"[Ad]\", \"Publicité :\", \"(광고)\" or \"【广告】\"."
            .to_owned(),
    ));
}

/// Whether a label is found outside every phrase that denies it: `广告` inside
/// `不是广告` ("not an ad") or `#광고` inside `#광고아님` labels nothing.
fn is_labelled(context: &Context<'_, '_>) -> bool {
    context.hits(PhraseList::AdLabel).any(|label| {
        !context
            .hits(PhraseList::NotAdLabel)
            .any(|not| not.start < label.end && label.start < not.end)
    })
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Kind, Message, RuleId};

    fn rules(message: &Message<'_>) -> Vec<RuleId> {
        let report = Engine::default().check(message).unwrap();
        report.findings.iter().map(|f| f.rule).collect()
    }

    fn is_unlabelled_ad(text: &str) -> bool {
        rules(&Message::new(text)).contains(&RuleId::MissingAdLabel)
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn a_denied_label_does_not_label_an_ad() {
        let counted_as_labelled = [
            "这不是广告！新款上市，全场五折，立即购买 https://shop.example.cn/sale",
            "Not an ad: 50% off everything this weekend, shop now at https://example.com/shop",
            "This post is not sponsored - buy now and save 20%!",
            "Keine Werbung, nur ein Tipp: 30 % Rabatt auf alle Schuhe, jetzt bestellen!",
            "#광고아님 오늘만 50% 할인! 지금 구매하세요",
            "유료 광고 아닙니다. 오늘만 50% 할인, 지금 구매하세요",
            "Ce n'est pas une publicité : -20 % sur tout le site, achetez maintenant !",
            "No es publicidad: 30% de descuento en toda la tienda, compra ahora",
        ]
        .into_iter()
        .filter(|text| !is_unlabelled_ad(text))
        .collect::<Vec<_>>();
        assert!(counted_as_labelled.is_empty(), "{counted_as_labelled:#?}");
        let japanese = Message::new("広告ではありません。今なら全品半額です。").kind(Kind::Ad);
        assert!(rules(&japanese).contains(&RuleId::MissingAdLabel));
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn real_labels_still_label() {
        for text in [
            "【推广】新款上市，全场五折，立即购买 https://shop.example.cn/sale",
            "Ad: 50% off everything this weekend, shop now at https://example.com/shop",
            "Anzeige: 30 % Rabatt auf alle Schuhe, jetzt bestellen!",
            // German influencers disclose unpaid promotion this way: still a label.
            "Unbezahlte Werbung: 30 % Rabatt auf alle Schuhe, jetzt bestellen!",
            "#광고 오늘만 50% 할인! 지금 구매하세요",
            "(광고) 오늘만 50% 할인! 지금 구매하세요",
        ] {
            assert!(!is_unlabelled_ad(text), "{text}");
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn a_denial_in_a_useful_message_fires_nothing() {
        for text in [
            "这不是广告，只是提醒您明天上午十点的预约。",
            "Not sponsored, just a reminder: your appointment is tomorrow at 10.",
            "Keine Werbung: Ihr Termin ist morgen um 10 Uhr.",
            "광고 아닙니다. 내일 오전 10시 예약 알림입니다.",
        ] {
            assert_eq!(rules(&Message::new(text)), [], "{text}");
        }
    }
}
