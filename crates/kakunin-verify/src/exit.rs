//! The process exit codes: part of kakunin's interface, documented in `docs/exit-codes.md`.
//!
//! A check that could not run never maps to [`ExitCode::Verified`].

/// What the `kakunin` process tells its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExitCode {
    /// 0: everything that was asked for was checked and verified.
    Verified = 0,
    /// 1: at least one check ran and failed.
    Failed = 1,
    /// 2: the command line or an input file is wrong (nothing was verified).
    Usage = 2,
    /// 3: something could not be fetched or a check could not run (nothing failed, but not
    /// everything was verified either).
    Fetch = 3,
}

impl ExitCode {
    /// The numeric code given to the operating system.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Combines two outcomes: a failure wins over could-not-run, which wins over success.
    /// (Usage errors stop a command before checks run, so they are not combined.)
    pub fn worst(self, other: ExitCode) -> ExitCode {
        fn rank(c: ExitCode) -> u8 {
            match c {
                ExitCode::Verified => 0,
                ExitCode::Fetch => 1,
                ExitCode::Failed => 2,
                ExitCode::Usage => 3,
            }
        }
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_outranks_could_not_run_which_outranks_success() {
        assert_eq!(ExitCode::Verified.worst(ExitCode::Fetch), ExitCode::Fetch);
        assert_eq!(ExitCode::Fetch.worst(ExitCode::Failed), ExitCode::Failed);
        assert_eq!(ExitCode::Failed.worst(ExitCode::Verified), ExitCode::Failed);
        assert_eq!(
            ExitCode::Verified.worst(ExitCode::Verified),
            ExitCode::Verified
        );
    }
}
