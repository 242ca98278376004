//! Purpose: the compiled patterns every timeframe rule matches against (compiled once).

use std::sync::LazyLock;

use regex::Regex;

use super::super::timewords::{
    KOREAN_WEEKDAY_ALTERNATION, MONTH_ALTERNATION, ORDINAL_ALTERNATION, SEASON_ALTERNATION,
    UNIT_ALTERNATION, WEEKDAY_ALTERNATION,
};

/// Compiles a built-in pattern; a pattern that failed would match nothing rather than panic.
pub(super) fn re(pattern: &str) -> Regex {
    crate::extract::text::pattern(pattern)
}

macro_rules! lazy_re {
    ($name:ident, $pattern:expr) => {
        pub(super) static $name: LazyLock<Regex> = LazyLock::new(|| re(&$pattern));
    };
}

lazy_re!(
    NOW_RE,
    r"\b(?:now|right now|asap|a\.s\.a\.p|as soon as possible|as soon as|immediately|right away|straight away|urgent|urgently|at this time|today|tonight|this morning|this afternoon|acum|imediat|diseara|in seara asta|cat mai repede|cat de repede|urgent|azi|astazi|chiar acum|de indata|in aceasta zi)\b|지금|당장|즉시|바로|오늘|최대한 빨리|가능한 빨리|빨리|급해요|급합니다"
);
lazy_re!(
    SOON_RE,
    r"\b(?:soon|shortly|in the near future|curand|in curand|in viitorul apropiat)\b|곧|조만간|빠른 시일"
);
lazy_re!(
    YESTERDAY_RE,
    r"\b(?:yesterday|ieri|alaltaieri)\b|엊그제|그저께|그제|어제"
);
lazy_re!(
    TOMORROW_RE,
    r"\b(?:the day after tomorrow|day after tomorrow|poimaine|tomorrows?|maine)\b|내일\s*모레|글피|모레|내일"
);
lazy_re!(ISO_DATE_RE, r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b");
lazy_re!(
    NUMERIC_DATE_RE,
    r"\b(\d{1,2})([./])(\d{1,2})(?:[./](\d{4}|\d{2}))?\b"
);
lazy_re!(
    MONTH_DAY_RE,
    format!(
        r"\b({MONTH_ALTERNATION})\.?\s*(?:the\s+)?(\d{{1,2}}|{ORDINAL_ALTERNATION}|intai)(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}|'?\d{{2}})\b)?"
    )
);
lazy_re!(
    DAY_MONTH_RE,
    format!(
        r"\b(?:the\s+)?(\d{{1,2}}|{ORDINAL_ALTERNATION}|intai)(?:st|nd|rd|th)?(?:\s+day)?\s*(?:of\s+|de\s+|-)?({MONTH_ALTERNATION})\b\.?(?:,?\s+(\d{{4}}|'?\d{{2}})\b)?"
    )
);
lazy_re!(IDES_RE, format!(r"\bides\s+of\s+({MONTH_ALTERNATION})\b"));
lazy_re!(
    KO_DATE_RE,
    r"(?:(\d{4})\s*년\s*)?(\d{1,2})\s*월\s*(\d{1,2})\s*일"
);
lazy_re!(
    DAY_ONLY_RE,
    format!(
        r"\b(?:on\s+)?the\s+(\d{{1,2}}|{ORDINAL_ALTERNATION})(?:st|nd|rd|th)?\b|\bon\s+(\d{{1,2}})(?:st|nd|rd|th)?\b|\b(\d{{1,2}})(?:st|nd|rd|th)\b|\bpe\s+(\d{{1,2}})\b|(?:^|\s)(\d{{1,2}})\s*일(?:에|날)?"
    )
);
lazy_re!(
    DAY_RANGE_RE,
    format!(
        r"\b(?:from\s+|between\s+|intre\s+|de\s+la\s+)?(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to|till|until|through|and|si|la|pana\s+(?:la|pe|in))\s*(?:the\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_ALTERNATION})\b|(\d{{1,2}})\s*월\s*(\d{{1,2}})\s*일\s*(?:~|-|부터|에서)\s*(\d{{1,2}})\s*일"
    )
);
lazy_re!(
    DAY_OF_REL_MONTH_RE,
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+)?of\s+(?:the\s+)?(next|this|current|following)\s+month\b|(이번|다음|다다음)\s*달\s*(\d{1,2})\s*일"
);
lazy_re!(
    NTH_WEEKDAY_RE,
    format!(
        r"\b({ORDINAL_ALTERNATION})\s+({WEEKDAY_ALTERNATION})\s+(?:of|in)\s+(?:({MONTH_ALTERNATION})\b|(?:the\s+)?(this|next|last|current|following)\s+month\b)"
    )
);
lazy_re!(
    KO_NTH_WEEK_RE,
    r"(\d{1,2})\s*월\s*(첫째|첫|둘째|셋째|넷째|마지막)\s*주(?:$|[^일요])"
);
lazy_re!(
    KO_NTH_WEEKDAY_RE,
    format!(
        r"(\d{{1,2}})\s*월\s*(첫째|첫|둘째|두\s*번째|셋째|세\s*번째|넷째|네\s*번째|마지막)\s*(?:주\s*)?({KOREAN_WEEKDAY_ALTERNATION})"
    )
);
lazy_re!(
    NTH_DAY_OF_MONTH_RE,
    format!(
        r"\b({ORDINAL_ALTERNATION})\s+(last\s+)?day\s+(?:of|in)\s+(?:({MONTH_ALTERNATION})\b|(?:the\s+)?(this|next|last|current|following)?\s*month\b)"
    )
);
lazy_re!(
    WEEKDAYS_FROM_NOW_RE,
    format!(r"\b(\d+)\s+({WEEKDAY_ALTERNATION})s?\s+from\s+(?:now|today)\b")
);
lazy_re!(
    WEEKDAY_RE,
    format!(
        r"\b(?:(next|this|coming|upcoming|last|on|the)\s+)?({WEEKDAY_ALTERNATION})\b\.?(?:\s+(after next|of next week|next week|of this week|this week|saptamana viitoare|saptamana urmatoare|saptamana asta|saptamana aceasta|viitoare|viitor|urmatoare|asta|aceasta|care vine))?"
    )
);
lazy_re!(
    KO_WEEKDAY_RE,
    format!(
        r"(이번\s*주|금주|다음\s*주|다다음\s*주|오는\s*주|지난\s*주|저번\s*주|다음|오는|이번|지난|저번)?\s*({KOREAN_WEEKDAY_ALTERNATION})"
    )
);
lazy_re!(RO_WEEKDAY_ABBR_RE, r"^(lu|ma|mi|jo|vi|sam|du|dum)\.?$");
/// A count, a count range ("2-3", "2 or 3") or a count word ("a", "a few", "câteva").
pub(super) const COUNT: &str = r"(\d+(?:\s*(?:-|–|~|to|or|sau|la)\s*\d+)?|a couple of|couple of|a couple|a few|few|several|a|an|one|o|un|una|cateva)";
lazy_re!(
    IN_DURATION_RE,
    format!(
        r"\b(?:in|after|peste|dupa|in decurs de)\s+(?:(?:about|around|approximately|roughly|another|cam|vreo|aproximativ|inca)\s+)?{COUNT}\s+({UNIT_ALTERNATION})\b|\b{COUNT}\s+({UNIT_ALTERNATION})\s+(?:from now|from today|hence|later|de acum|de azi|de astazi)\b"
    )
);
lazy_re!(
    WITHIN_RE,
    format!(
        r"\b(?:within|in the next|over the next|in the coming|in the upcoming|during the next|the next|next|upcoming|coming|in the following|the following|in less than|less than|under|in under|in urmatoarele|in urmatorii|urmatoarele|urmatorii|in maxim|in mai putin de|in termen de|in cel mult|in cursul urmatoarelor|in cursul urmatorilor)\s+(?:(?:about|around|cam)\s+)?(?:{COUNT}\s+)?({UNIT_ALTERNATION})\b|\b(\d+)\s+(?:upcoming|coming|next)\s+({UNIT_ALTERNATION})\b"
    )
);
lazy_re!(
    BARE_DURATION_RE,
    format!(
        r"^(?:(?:about|around|maybe|probably|approximately|approx|roughly|cam|vreo|aproximativ|probabil|poate|약|대략|아마)\s+)?{COUNT}\s*({UNIT_ALTERNATION})(?:\s*(?:or so|max|maybe|probably|cam|aproximativ|정도|쯤|후|뒤))?$"
    )
);
lazy_re!(
    KO_DURATION_RE,
    r"(\d+(?:\s*[~-]\s*\d+)?)\s*(주일|개월|일|주|달|년|해|분기)\s*(안에|안으로|안|이내에|이내|내에|내로|내|동안|후에|후|뒤에|뒤|지나서|이전에|이전|전에|전)"
);
lazy_re!(
    PAST_SPAN_RE,
    format!(
        r"\b(?:the\s+)?(?:last|past|previous|ultimele|ultimii)\s+{COUNT}\s+({UNIT_ALTERNATION})\b|(?:지난|최근)\s*(\d+)\s*(주일|개월|일|주|달|년)"
    )
);
lazy_re!(
    KO_NEXT_SPAN_RE,
    r"(?:다음|앞으로|향후)\s*(\d+)\s*(주일|개월|일|주|달|년)"
);
lazy_re!(
    WITHIN_PERIOD_RE,
    r"\bwithin\s+(?:the|this)\s+(week|month|quarter|year)\b|\b(?:(?:in|during|for)\s+)?(?:the\s+)?rest\s+of\s+(?:the|this)\s+(week|month|quarter|year)\b|\b(?:all|the whole)\s+(week|month|year)\b|\b(?:in|pe)\s+restul\s+(saptamanii|lunii|anului)\b"
);
lazy_re!(
    NTH_WEEK_OF_MONTH_RE,
    format!(r"\b({ORDINAL_ALTERNATION})\s+week\s+(?:of|in)\s+({MONTH_ALTERNATION})\b")
);
lazy_re!(
    A_UNIT_OR_TWO_RE,
    r"\b(?:a|one)\s+(day|week|month|year)\s+or\s+two\b"
);
lazy_re!(
    NEGATED_URGENCY_RE,
    r"\b(?:not urgent|isn'?t urgent|is not urgent|no urgency|not in a hurry|nu e urgent|nu este urgent|nu-i urgent)\b|급하지\s*않"
);
lazy_re!(
    AGO_RE,
    format!(
        r"\b(\d+|a|an|one)\s+({UNIT_ALTERNATION})\s+ago\b|\bacum\s+(\d+|o|un|una)\s+({UNIT_ALTERNATION})\b"
    )
);
lazy_re!(
    RELATIVE_PERIOD_RE,
    r"\b(this|current|the current|next|the next|following|the following|coming|the coming|upcoming|last|previous|the previous|past)\s+(?:fiscal\s+|financial\s+|calendar\s+)?(week|wk|month|quarter|qtr|year|yr)\b|\b(week|month|year)\s+after\s+next\b"
);
lazy_re!(
    RO_RELATIVE_PERIOD_RE,
    r"\b(saptamana|luna|trimestrul|anul|saptamanii|lunii|trimestrului|anului)\s+(asta|aceasta|acesta|curenta|curent|viitoare|viitor|urmatoare|urmator|care vine|trecuta|trecut|asteia|acesteia|acestuia|curente)\b|\bla anul\b"
);
lazy_re!(
    KO_RELATIVE_PERIOD_RE,
    r"(이번|금|다음|다다음|오는|지난|저번)\s*(주|달|분기|해)|이달|올해|금년|내년|작년|내후년|재작년|연내|연중"
);
lazy_re!(
    PART_OF_PERIOD_RE,
    r"\b(end|beginning|start|middle|mid)\s+of\s+(?:the\s+)?(this\s+|next\s+|current\s+|the\s+next\s+)?(week|month|quarter|year)\b|\b(eom|eoy|eoq|eow|eod|bom|boy|boq)\b"
);
lazy_re!(
    RO_PART_OF_PERIOD_RE,
    r"\b(sfarsitul|sfarsit de|finalul|final de|inceputul|inceput de|mijlocul)\s+(lunii|anului|saptamanii|trimestrului|luna|an|saptamana|trimestru)(?:\s+(viitoare|viitor|urmatoare|urmator|asteia|acesteia|acestuia|curente|curent))?\b"
);
lazy_re!(
    KO_PART_OF_PERIOD_RE,
    r"(월말|연말|년말|분기말|월초|연초|년초|주말|이번\s*주말|다음\s*주말)"
);
lazy_re!(
    WEEKEND_RE,
    r"\b(this|next|the)?\s*weekend\b|\bweekendul\s*(asta|acesta|viitor)?\b|\bin weekend\b"
);
lazy_re!(
    QUARTER_RE,
    format!(
        r"\bq\s?([1-4])\b(?:\s*(?:of\s+)?(\d{{4}}|'\d{{2}}))?|\b(\d{{4}})\s*-?\s*q([1-4])\b|\b(\d{{2}})q([1-4])\b|\b({ORDINAL_ALTERNATION})\s+(?:fiscal\s+)?(?:quarter|qtr)\b(?:\s+(?:of\s+)?(?:the\s+year\s+)?(\d{{4}}))?"
    )
);
lazy_re!(
    RO_QUARTER_RE,
    r"\btrimestrul\s+(?:al\s+)?(1|2|3|4|iv|iii|ii|i|intai|unu|doi|trei|patru|doilea|2-lea|treilea|3-lea|patrulea|4-lea)\b(?:\s+(?:din|al anului|din anul|pe)?\s*(\d{4}))?|\b(primul|al\s+doilea|al\s+2-lea|al\s+treilea|al\s+3-lea|al\s+patrulea|al\s+4-lea|ultimul)\s+trimestru\b(?:\s+(?:din|al anului|din anul|pe)?\s*(\d{4}))?"
);
lazy_re!(KO_QUARTER_RE, r"(?:(\d{4})\s*년\s*)?([1-4])\s*분기");
lazy_re!(
    HALF_RE,
    r"\bh([12])\b(?:\s*(\d{4}))?|\b(first|1st|second|2nd|latter|last|back|front)\s+half\b(?:\s+of\s+(?:the\s+year\s*)?(\d{4})?)?|\b(prima|a\s+2|a\s+doua)\s+jumatate\b(?:\s+a\s+anului)?(?:\s+(\d{4}))?|\bsemestrul\s+(1|2|ii|i|intai|doi)\b|\b(primul|al\s+doilea|al\s+2-lea)\s+semestru\b|(상반기|하반기)"
);
lazy_re!(
    SEASON_RE,
    format!(
        r"(?:\b(this|next|coming|the coming|last|la)\s+)?\b({SEASON_ALTERNATION})\b(?:\s+(asta|aceasta|viitoare|viitor|care vine|trecuta|(\d{{4}})))?"
    )
);
lazy_re!(
    KO_SEASON_RE,
    r"(올해|이번|내년|다음|작년|지난)?\s*(봄|여름|가을|겨울)"
);
lazy_re!(
    MONTH_RE,
    format!(
        r"\b(next|this|coming|the coming|last|luna)?\s*\b({MONTH_ALTERNATION})\b\.?(?:\s+(after next))?(?:,?\s+(\d{{4}})\b)?"
    )
);
lazy_re!(
    KO_MONTH_RE,
    r"(?:(\d{4})\s*년\s*|(내년|올해|다음\s*해|작년)\s*)?(\d{1,2})\s*월"
);
lazy_re!(YEAR_RE, r"\b(20\d{2}|19\d{2})\b|(\d{4})\s*년");
lazy_re!(
    HOLIDAY_RE,
    r"\b(christmas eve|xmas eve|christmas day|christmas|xmas|new year'?s eve|new years eve|new year'?s day|new years day|new year|thanksgiving day|thanksgiving|easter|halloween|black friday|ajunul craciunului|craciunul|craciun|revelionul|revelion|anul nou|pastele|pastelui|pasti|paste)\b|크리스마스\s*이브|크리스마스|성탄절|신정|새해|추수감사절|부활절"
);
lazy_re!(
    ALTERNATIVES_RE,
    r"\s+or\s+|\s+sau\s+|\s*아니면\s*|\s+또는\s+|\s+혹은\s+|\s+either\s+"
);
lazy_re!(
    NO_TIMELINE_RE,
    r"\b(?:no timeline|no time ?line|not planned|no plans?|no rush|no hurry|no deadline|no specific|not sure|don'?t know|no idea|not decided|undecided|whenever|someday|some day|eventually|tbd|not yet|not any time soon|not anytime soon|no date|nu avem (?:un )?termen|nu e planificat|nu este planificat|nu ne grabim|nu stiu|nu avem planuri|nu am stabilit|nu s-a stabilit|candva|nu e urgent|nu este urgent|nicio graba|nu avem un plan|nestabilit)\b|일정\s*없|계획\s*없|미정|모르겠|급하지\s*않|아직\s*모|딱히|언젠가|정해지지|정해진\s*(?:건|게)?\s*없"
);
lazy_re!(
    PART_PREFIX_RE,
    r"(?:\b(early|beginning of|start of|the beginning of|the start of|inceputul|la inceputul|inceput de|mid|middle of|the middle of|mijlocul|la mijlocul|jumatatea|la jumatatea|late|end of|the end of|sfarsitul|la sfarsitul|finalul|la finalul|spre sfarsitul|spre finalul)\s*-?\s*(?:the\s+|of\s+|lui\s+|lunii\s+)?)$"
);
lazy_re!(
    OFFSET_PREFIX_RE,
    format!(
        r"\b(\d+|a|an|one|o|un|una)\s+({UNIT_ALTERNATION})\s+(after|before|from|dupa|inainte de)\s+(?:the\s+)?$"
    )
);
lazy_re!(
    WEEK_OF_PREFIX_RE,
    r"\b(?:the\s+)?week\s+of\s+(?:the\s+)?$|\bsaptamana\s+(?:din|de|cu)\s+$"
);
lazy_re!(
    KO_PART_SUFFIX_RE,
    r"^\s*(초순|초|중순|중반|말|하순|후반|말경|말쯤)"
);
lazy_re!(
    BOUND_PREFIX_RE,
    r"(?:\b(later|by|no later than|not later than|until|till|up until|up to|through|thru|pana la|pana in|pana pe|pana|cel tarziu|cel tarziu in|nu mai tarziu de|before|prior to|inainte de|inainte sa|anytime after|sometime after|after|post|dupa|not before|not until|no earlier than|nu inainte de|nu mai devreme de|not|from|starting|starting in|starting from|starting at|beginning in|since|as of|incepand cu|incepand din|incepand de la|incepand de|incepand|din|de la|cu incepere din)\s+(?:the\s+|on\s+|in\s+)?)$"
);
lazy_re!(
    KO_BOUND_SUFFIX_RE,
    r"^\s*(전까지|까지|내로|안에|안으로|이내|내에|전에|이전에|이전|전|이후로|이후에|이후|후에|후|뒤에|지나서|부터|내)(?:$|[\s.!?,요])"
);
lazy_re!(
    EN_BOUND_SUFFIX_RE,
    r"^\s*(onwards|onward|or later|and later|at the latest|at the earliest|or after|in avans)\b"
);
lazy_re!(
    RANGE_GAP_RE,
    r"^\s*(?:-|–|—|~|to|till|until|through|thru|and|si|la|pana la|pana in|에서|부터|~에서)\s*$"
);
lazy_re!(BETWEEN_RE, r"\b(between|from|intre|de la|din)\s*$");
