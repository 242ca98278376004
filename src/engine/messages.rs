//! Purpose: everything the bot says that is not a script question, in each supported language;
//! scripts may override any text under `[messages]`.

use crate::locale::Locale;
use crate::script::{MessageKey, Script};

/// The script's text for `key`, or the built-in one in the script's language.
pub fn text(script: &Script, key: MessageKey) -> String {
    if let Some(custom) = script.messages.get(key.name()) {
        return custom.clone();
    }
    built_in(script.locale, key).to_string()
}

/// The built-in text for a key in a language.
pub fn built_in(locale: Locale, key: MessageKey) -> &'static str {
    match locale {
        Locale::En => english(key.name()),
        Locale::Ko => korean(key.name()),
        Locale::Ro => romanian(key.name()),
    }
}

fn english(key: &str) -> &'static str {
    match key {
        "reask" => "Sorry, I didn't quite get that.",
        "moving_on" => "No problem — let's move on.",
        "clarify" => "Just to be sure — did you mean {options}?",
        "clarify_period" => "Is that per month or per year?",
        "amount_in_currency" => {
            "Could you give me that amount in {currency}? A rough figure is fine."
        }
        "per_month" => "per month",
        "per_year" => "per year",
        "too_long" => "That's a long message! Could you answer in a sentence or two?",
        "help" => {
            "I'm asking a few short questions so we can connect you with the right person. Answer in your own words or pick an option (typing its number works too). Type \"restart\" to start over or \"stop\" to end the conversation."
        }
        "restarted" => "Let's start over.",
        "opted_out" => {
            "Understood — we won't contact you again. If you change your mind, just type \"restart\"."
        }
        "opted_out_already" => {
            "You've opted out, so we won't contact you. Type \"restart\" if you'd like to talk again."
        }
        "welcome_back" => "Welcome back! Let's pick up where we left off.",
        "already_done" => {
            "We already have your answers — thank you! Type \"restart\" to start over."
        }
        "completed" => "Thanks for your time! That's everything I needed.",
        "completed_mql" => "Thanks! We'll send you material that matches what you told us.",
        "completed_sql" => {
            "Thank you! You look like a great fit — someone from our sales team will reach out shortly."
        }
        "handoff_rep" => "{rep} from our team will be your contact and will reach out to you soon.",
        "takeover" => {
            "Of course — I'm bringing in a person from our team. They'll answer you right here."
        }
        "takeover_after_hours" => {
            "Our team is away right now; a person will be back {back} and will answer you right here."
        }
        "handed_back" => "Thanks for waiting! Let's pick up where we left off.",
        "book_a_time" => "Book a time with {rep}",
        "nudge" => "Still there? Whenever you're ready: {question}",
        "follow_up_mql" => {
            "Hi again! Following up on our chat — if the timing is right now, reply here and we'll pick it up, or type \"restart\" to go through the questions again."
        }
        "question_noted" => {
            "Good question — I've noted it for our team, and the person who follows up will answer it."
        }
        "language_switched" => "Sure — let's continue in English.",
        "one_moment" => "One moment — I'm reading your messages and will answer them in order.",
        "hint_choice" => "Please pick one of the options (you can type its number).",
        "hint_multi_choice" => "Pick one or more options, e.g. \"1 and 3\".",
        "hint_yes_no" => "A simple yes or no is fine.",
        "hint_money" => "A rough figure is fine, e.g. \"about 20k a year\" — or \"not sure\".",
        "hint_timeframe" => "For example \"next month\", \"Q3\" or \"within 6 months\".",
        "hint_number" => "A number is fine, e.g. \"25\".",
        "hint_email" => "Please enter an e-mail address such as name@company.com.",
        "hint_text" => "A few words are enough.",
        _ => "",
    }
}

fn korean(key: &str) -> &'static str {
    match key {
        "reask" => "죄송합니다, 잘 이해하지 못했어요.",
        "moving_on" => "괜찮습니다 — 다음 질문으로 넘어갈게요.",
        "clarify" => "확인차 여쭤볼게요 — {options} 중 어느 쪽인가요?",
        "clarify_period" => "월 기준인가요, 연 기준인가요?",
        "amount_in_currency" => "{currency} 기준으로는 대략 얼마인지 알려 주시겠어요?",
        "per_month" => "월",
        "per_year" => "연간",
        "too_long" => "메시지가 너무 길어요! 한두 문장으로 답해 주시겠어요?",
        "help" => {
            "알맞은 담당자를 연결해 드리기 위해 몇 가지 짧은 질문을 드리고 있어요. 자유롭게 답하시거나 보기를 고르세요(번호를 입력해도 됩니다). 처음부터 하려면 \"다시 시작\", 대화를 끝내려면 \"그만\"이라고 입력하세요."
        }
        "restarted" => "처음부터 다시 시작할게요.",
        "opted_out" => {
            "알겠습니다 — 더 이상 연락드리지 않을게요. 마음이 바뀌시면 \"다시 시작\"이라고 입력해 주세요."
        }
        "opted_out_already" => {
            "수신을 거부하셨기 때문에 연락드리지 않습니다. 다시 대화하시려면 \"다시 시작\"이라고 입력해 주세요."
        }
        "welcome_back" => "다시 오셨네요! 멈춘 곳부터 이어갈게요.",
        "already_done" => {
            "이미 답변을 받았어요 — 감사합니다! 처음부터 하시려면 \"다시 시작\"이라고 입력해 주세요."
        }
        "completed" => "시간 내주셔서 감사합니다! 필요한 내용은 모두 받았어요.",
        "completed_mql" => "감사합니다! 말씀해 주신 내용에 맞는 자료를 보내드릴게요.",
        "completed_sql" => {
            "감사합니다! 저희와 잘 맞으실 것 같아요 — 영업 담당자가 곧 연락드릴 예정입니다."
        }
        "handoff_rep" => "{rep} 님이 담당자로 배정되었어요. 곧 연락드릴 거예요.",
        "takeover" => "네, 담당자를 연결해 드릴게요. 여기에서 바로 답변드릴 거예요.",
        "takeover_after_hours" => {
            "지금은 상담 시간이 아니에요. {back}에 담당자가 여기에서 답변드릴 거예요."
        }
        "handed_back" => "기다려 주셔서 감사합니다! 이어서 진행할게요.",
        "book_a_time" => "{rep} 님과 미팅 예약하기",
        "nudge" => "아직 계신가요? 편하실 때 답해 주세요: {question}",
        "follow_up_mql" => {
            "다시 인사드려요! 지난번 대화에 이어 연락드립니다 — 지금 시기가 맞으시면 여기에 답해 주시거나, \"다시 시작\"이라고 입력해 주세요."
        }
        "question_noted" => {
            "좋은 질문이에요 — 팀에 전달해 두었고, 연락드릴 담당자가 답변해 드릴 거예요."
        }
        "language_switched" => "네 — 한국어로 계속할게요.",
        "one_moment" => "잠시만요 — 보내 주신 메시지를 순서대로 읽고 답해 드릴게요.",
        "hint_choice" => "보기 중 하나를 골라 주세요(번호를 입력해도 됩니다).",
        "hint_multi_choice" => "하나 이상 골라 주세요. 예: \"1, 3\".",
        "hint_yes_no" => "\"네\" 또는 \"아니요\"로 답해 주시면 됩니다.",
        "hint_money" => {
            "대략적인 금액도 괜찮아요. 예: \"연 3천만 원 정도\" — 또는 \"잘 모르겠어요\"."
        }
        "hint_timeframe" => "예: \"다음 달\", \"3분기\", \"6개월 안에\".",
        "hint_number" => "숫자로 답해 주세요. 예: \"25\".",
        "hint_email" => "name@company.com 형식의 이메일 주소를 입력해 주세요.",
        "hint_text" => "몇 단어면 충분해요.",
        _ => "",
    }
}

fn romanian(key: &str) -> &'static str {
    match key {
        "reask" => "Scuze, nu am înțeles.",
        "moving_on" => "Nicio problemă — mergem mai departe.",
        "clarify" => "Ca să fiu sigur — v-ați referit la {options}?",
        "clarify_period" => "Suma este pe lună sau pe an?",
        "amount_in_currency" => "Ne puteți spune suma, cu aproximație, în {currency}?",
        "per_month" => "pe lună",
        "per_year" => "pe an",
        "too_long" => "Mesajul e cam lung! Puteți răspunde în una-două propoziții?",
        "help" => {
            "Vă pun câteva întrebări scurte ca să vă punem în legătură cu persoana potrivită. Răspundeți liber sau alegeți o opțiune (merge și numărul ei). Scrieți \"restart\" ca să o luați de la capăt sau \"stop\" ca să încheiați conversația."
        }
        "restarted" => "O luăm de la capăt.",
        "opted_out" => {
            "Am înțeles — nu vă vom mai contacta. Dacă vă răzgândiți, scrieți \"restart\"."
        }
        "opted_out_already" => {
            "V-ați dezabonat, deci nu vă vom contacta. Scrieți \"restart\" dacă doriți să vorbim din nou."
        }
        "welcome_back" => "Bine ați revenit! Continuăm de unde am rămas.",
        "already_done" => {
            "Avem deja răspunsurile dumneavoastră — mulțumim! Scrieți \"restart\" ca să o luați de la capăt."
        }
        "completed" => "Mulțumim pentru timpul acordat! Asta a fost tot.",
        "completed_mql" => "Mulțumim! Vă vom trimite materiale potrivite cu ce ne-ați spus.",
        "completed_sql" => {
            "Mulțumim! Pare că ne potrivim foarte bine — un coleg din echipa de vânzări vă va contacta în curând."
        }
        "handoff_rep" => {
            "{rep} din echipa noastră va fi persoana dumneavoastră de contact și vă va contacta în curând."
        }
        "takeover" => {
            "Desigur — vă pun în legătură cu un coleg din echipă. Vă va răspunde chiar aici."
        }
        "takeover_after_hours" => {
            "Echipa nu este disponibilă acum; un coleg revine {back} și vă răspunde chiar aici."
        }
        "handed_back" => "Mulțumim pentru răbdare! Continuăm de unde am rămas.",
        "book_a_time" => "Programați o întâlnire cu {rep}",
        "nudge" => "Mai sunteți aici? Când aveți un moment: {question}",
        "follow_up_mql" => {
            "Bună din nou! Revenim după discuția noastră — dacă acum e momentul potrivit, răspundeți aici, sau scrieți \"restart\" pentru a relua întrebările."
        }
        "question_noted" => {
            "Bună întrebare — am notat-o pentru echipă, iar colegul care vă contactează vă va răspunde."
        }
        "language_switched" => "Sigur — continuăm în română.",
        "one_moment" => "Un moment — vă citesc mesajele și vă răspund pe rând.",
        "hint_choice" => "Alegeți una dintre opțiuni (puteți scrie numărul ei).",
        "hint_multi_choice" => "Alegeți una sau mai multe opțiuni, de ex. \"1 și 3\".",
        "hint_yes_no" => "Un simplu da sau nu e suficient.",
        "hint_money" => {
            "O sumă aproximativă e în regulă, de ex. \"cam 10 mii de euro pe an\" — sau \"nu știu\"."
        }
        "hint_timeframe" => "De exemplu \"luna viitoare\", \"trimestrul 3\" sau \"în 6 luni\".",
        "hint_number" => "Un număr e suficient, de ex. \"25\".",
        "hint_email" => "Introduceți o adresă de e-mail, de ex. nume@companie.ro.",
        "hint_text" => "Câteva cuvinte sunt suficiente.",
        _ => "",
    }
}

/// Joins readings for a clarifying question: "A or B", "A, B or C" in the script's language.
pub fn either(locale: Locale, readings: &[String]) -> String {
    let or = match locale {
        Locale::En => " or ",
        Locale::Ko => " 또는 ",
        Locale::Ro => " sau ",
    };
    match readings.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{}{or}{last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_text_in_every_language() {
        for locale in Locale::ALL {
            for key in MessageKey::ALL {
                assert!(
                    !built_in(locale, key).is_empty(),
                    "{locale} lacks {}",
                    key.name()
                );
            }
        }
    }

    #[test]
    fn either_joins_in_the_language() {
        let readings = vec!["A".to_string(), "B".to_string(), "C".to_string()];
        assert_eq!(either(Locale::En, &readings), "A, B or C");
        assert_eq!(either(Locale::Ro, &readings[..2]), "A sau B");
        assert_eq!(either(Locale::Ko, &readings[..1]), "A");
    }
}
