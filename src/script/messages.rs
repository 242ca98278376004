//! Purpose: the texts a bot says outside a script's questions, by key — the vocabulary a
//! script's `[messages]` table may override (the built-in texts per language live with the
//! engine).

/// A text the bot says outside the script's questions; a script may override it under
/// `[messages]` by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKey {
    /// `reask`.
    Reask,
    /// `moving_on`.
    MovingOn,
    /// `clarify`.
    Clarify,
    /// `clarify_period`.
    ClarifyPeriod,
    /// `amount_in_currency`.
    AmountInCurrency,
    /// `per_month`.
    PerMonth,
    /// `per_year`.
    PerYear,
    /// `too_long`.
    TooLong,
    /// `help`.
    Help,
    /// `restarted`.
    Restarted,
    /// `opted_out`.
    OptedOut,
    /// `opted_out_already`.
    OptedOutAlready,
    /// `already_done`.
    AlreadyDone,
    /// `welcome_back`.
    WelcomeBack,
    /// `completed`.
    Completed,
    /// `completed_mql`.
    CompletedMql,
    /// `completed_sql`.
    CompletedSql,
    /// `handoff_rep`.
    HandoffRep,
    /// `nudge`.
    Nudge,
    /// `follow_up_mql`.
    FollowUpMql,
    /// `takeover`.
    Takeover,
    /// `takeover_after_hours`.
    TakeoverAfterHours,
    /// `handed_back`.
    HandedBack,
    /// `book_a_time`.
    BookATime,
    /// `question_noted`.
    QuestionNoted,
    /// `language_switched`.
    LanguageSwitched,
    /// `one_moment`.
    OneMoment,
    /// `hint_choice`.
    HintChoice,
    /// `hint_multi_choice`.
    HintMultiChoice,
    /// `hint_yes_no`.
    HintYesNo,
    /// `hint_money`.
    HintMoney,
    /// `hint_timeframe`.
    HintTimeframe,
    /// `hint_number`.
    HintNumber,
    /// `hint_email`.
    HintEmail,
    /// `hint_text`.
    HintText,
}

impl MessageKey {
    /// Every key, in the order the documentation lists them.
    pub const ALL: [MessageKey; 35] = [
        MessageKey::Reask,
        MessageKey::MovingOn,
        MessageKey::Clarify,
        MessageKey::ClarifyPeriod,
        MessageKey::AmountInCurrency,
        MessageKey::PerMonth,
        MessageKey::PerYear,
        MessageKey::TooLong,
        MessageKey::Help,
        MessageKey::Restarted,
        MessageKey::OptedOut,
        MessageKey::OptedOutAlready,
        MessageKey::AlreadyDone,
        MessageKey::WelcomeBack,
        MessageKey::Completed,
        MessageKey::CompletedMql,
        MessageKey::CompletedSql,
        MessageKey::HandoffRep,
        MessageKey::Nudge,
        MessageKey::FollowUpMql,
        MessageKey::Takeover,
        MessageKey::TakeoverAfterHours,
        MessageKey::HandedBack,
        MessageKey::BookATime,
        MessageKey::QuestionNoted,
        MessageKey::LanguageSwitched,
        MessageKey::OneMoment,
        MessageKey::HintChoice,
        MessageKey::HintMultiChoice,
        MessageKey::HintYesNo,
        MessageKey::HintMoney,
        MessageKey::HintTimeframe,
        MessageKey::HintNumber,
        MessageKey::HintEmail,
        MessageKey::HintText,
    ];

    /// The key's name in a script's `[messages]` table.
    pub fn name(self) -> &'static str {
        match self {
            MessageKey::Reask => "reask",
            MessageKey::MovingOn => "moving_on",
            MessageKey::Clarify => "clarify",
            MessageKey::ClarifyPeriod => "clarify_period",
            MessageKey::AmountInCurrency => "amount_in_currency",
            MessageKey::PerMonth => "per_month",
            MessageKey::PerYear => "per_year",
            MessageKey::TooLong => "too_long",
            MessageKey::Help => "help",
            MessageKey::Restarted => "restarted",
            MessageKey::OptedOut => "opted_out",
            MessageKey::OptedOutAlready => "opted_out_already",
            MessageKey::AlreadyDone => "already_done",
            MessageKey::WelcomeBack => "welcome_back",
            MessageKey::Completed => "completed",
            MessageKey::CompletedMql => "completed_mql",
            MessageKey::CompletedSql => "completed_sql",
            MessageKey::HandoffRep => "handoff_rep",
            MessageKey::Takeover => "takeover",
            MessageKey::TakeoverAfterHours => "takeover_after_hours",
            MessageKey::HandedBack => "handed_back",
            MessageKey::BookATime => "book_a_time",
            MessageKey::Nudge => "nudge",
            MessageKey::FollowUpMql => "follow_up_mql",
            MessageKey::QuestionNoted => "question_noted",
            MessageKey::LanguageSwitched => "language_switched",
            MessageKey::OneMoment => "one_moment",
            MessageKey::HintChoice => "hint_choice",
            MessageKey::HintMultiChoice => "hint_multi_choice",
            MessageKey::HintYesNo => "hint_yes_no",
            MessageKey::HintMoney => "hint_money",
            MessageKey::HintTimeframe => "hint_timeframe",
            MessageKey::HintNumber => "hint_number",
            MessageKey::HintEmail => "hint_email",
            MessageKey::HintText => "hint_text",
        }
    }

    /// The key named `name`, if there is one.
    pub fn from_name(name: &str) -> Option<MessageKey> {
        MessageKey::ALL.into_iter().find(|key| key.name() == name)
    }

    /// The hint shown after a re-ask for an answer of this kind (`Expectation::kind`).
    pub fn hint_for(kind: &str) -> MessageKey {
        match kind {
            "choice" => MessageKey::HintChoice,
            "multi_choice" => MessageKey::HintMultiChoice,
            "yes_no" => MessageKey::HintYesNo,
            "money" => MessageKey::HintMoney,
            "timeframe" => MessageKey::HintTimeframe,
            "number" => MessageKey::HintNumber,
            "email" => MessageKey::HintEmail,
            _ => MessageKey::HintText,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for key in MessageKey::ALL {
            assert_eq!(MessageKey::from_name(key.name()), Some(key));
        }
        let mut names: Vec<_> = MessageKey::ALL.iter().map(|key| key.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MessageKey::ALL.len());
        assert_eq!(MessageKey::from_name("nope"), None);
    }
}
