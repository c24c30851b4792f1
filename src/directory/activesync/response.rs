//! The ResolveRecipients response (MS-ASCMD §2.2.1.15.2), read from the decoded WBXML
//! into what a lookup needs: the command status, and per `To` the response status and
//! each recipient's certificate status and certificates.

use base64::Engine as _;

use super::codepage::{PAGE, tag};
use super::wbxml::Element;

/// The whole answer.
#[derive(Debug)]
pub(crate) struct Answer {
    /// `ResolveRecipients/Status` (§2.2.3.177.12): 1 success, 5 protocol error, 6
    /// server error, or a common status code (§2.2.2).
    pub status: u32,
    pub responses: Vec<Response>,
}

/// One `Response`: the answer for one `To`.
#[derive(Debug)]
pub(crate) struct Response {
    pub to: String,
    /// 1 resolved, 2 ambiguous (suggestions), 3 ambiguous (partial list of
    /// suggestions), 4 not resolved, 5 protocol error, 6 server error.
    pub status: u32,
    pub recipients: Vec<Recipient>,
}

/// One `Recipient`: a GAL or contact entry (or a suggestion, when ambiguous).
#[derive(Debug)]
pub(crate) struct Recipient {
    /// `Certificates`, absent when the server sent none.
    pub certificates: Option<Certificates>,
}

/// `Certificates` (§2.2.3.23.1).
#[derive(Debug)]
pub(crate) struct Certificates {
    /// 1 success, 7 no valid certificate, 8 `MaxCertificates` reached.
    pub status: u32,
    /// The `Certificate` values, base64 decoded; `None` for one that is not base64.
    pub certificates: Vec<Option<Vec<u8>>>,
}

/// Reads the answer; `Err` says, for a person, what is missing or wrong.
pub(crate) fn read(root: &Element) -> Result<Answer, String> {
    if (root.page, root.token) != (PAGE, tag::RESOLVE_RECIPIENTS) {
        return Err(format!(
            "the answer is {}, not ResolveRecipients",
            root.name()
        ));
    }
    let status = status_of(root, "ResolveRecipients")?;
    let mut responses = Vec::new();
    for r in root.all(PAGE, tag::RESPONSE) {
        let to = r
            .first(PAGE, tag::TO)
            .map(|e| e.content())
            .ok_or("a Response without To")?;
        let status = status_of(r, "Response")?;
        let recipients = r
            .all(PAGE, tag::RECIPIENT)
            .map(|rec| -> Result<Recipient, String> {
                let certificates = match rec.first(PAGE, tag::CERTIFICATES) {
                    None => None,
                    Some(c) => Some(Certificates {
                        status: status_of(c, "Certificates")?,
                        // MiniCertificate is ignored: its format is not specified.
                        certificates: c
                            .all(PAGE, tag::CERTIFICATE)
                            .map(|e| base64_value(&e.content()))
                            .collect(),
                    }),
                };
                Ok(Recipient { certificates })
            })
            .collect::<Result<_, _>>()?;
        responses.push(Response {
            to,
            status,
            recipients,
        });
    }
    Ok(Answer { status, responses })
}

/// The `Status` child of `parent`, an integer.
fn status_of(parent: &Element, what: &str) -> Result<u32, String> {
    let text = parent
        .first(PAGE, tag::STATUS)
        .map(|e| e.content())
        .ok_or_else(|| format!("{what} has no Status"))?;
    text.trim()
        .parse()
        .map_err(|_| format!("{what} Status {text:?} is not a number"))
}

/// Base64 with line breaks or spaces tolerated (some servers fold long values).
fn base64_value(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// A person's words for a `ResolveRecipients/Status` other than 1 (MS-ASCMD
/// §2.2.3.177.12 and the common status codes of §2.2.2).
pub(crate) fn command_status_reason(status: u32) -> String {
    let what = match status {
        5 => "a protocol error (the server did not understand the request)",
        6 => "a server error",
        101..=109 => "the request was malformed or unsupported",
        110 => "a server error",
        111 => "a temporary server error; try again later",
        126 => "the user is disabled for ActiveSync",
        127 | 128 => "the mailbox is not available",
        129 => "this device is blocked for the user",
        130 => "access denied",
        131 => "the account is disabled",
        132..=134 => "the mailbox is not available",
        140..=144 => {
            "the device must be provisioned first (this client does not accept device policies)"
        }
        177 => "too many devices for this account",
        _ => "an error",
    };
    format!("ResolveRecipients status {status}: {what}")
}
