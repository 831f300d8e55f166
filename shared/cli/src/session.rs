//! The CLI side of a sign-in session: where the session token is kept, how it
//! is written and read back, and how the password is read.
//!
//! Decisions:
//! - One token file per OS user and node: the directory is the user's own
//!   ([`session_dir`]), the file is named after the node and a digest of its
//!   canonical data directory ([`session_file`]), so two nodes on one machine
//!   (or two data directories of one node name) never share a session.
//! - The directory is created 0700; the token is written to a temporary file
//!   created 0600 in the same directory and renamed over the old one, so a
//!   reader sees the old token or the new one, never half of one, and the
//!   token is never readable by others, not even for a moment.
//! - A token file that group or others may read or write is refused rather
//!   than used: someone else may have read it, or planted it.
//! - `--password-stdin` reads one line, as `docker login` does; otherwise the
//!   password is prompted on the terminal without echo (`rpassword`), and
//!   without a terminal on standard input the error says to use
//!   `--password-stdin` (no prompt that a script would wait on forever).
//! - The path functions take their inputs explicitly ([`session_dir_from`],
//!   [`session_file_in`]) so tests need no process environment.
//! - Not done here: ending a session after 8 idle hours; the node does that
//!   and answers a stale token as signed out.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, BufRead, IsTerminal, Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use liandong_identity::token::SessionToken;

/// Overrides where session files live.
pub const SESSION_DIR_VAR: &str = "LIANDONG_SESSION_DIR";
/// The longest password read from standard input, in bytes.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// More than a token file ever holds; a larger file is not read whole.
const MAX_TOKEN_FILE_BYTES: u64 = 256;
/// The longest node name used in a file name.
const MAX_NODE_NAME: usize = 64;

/// Why a session file or the password could not be handled.
#[derive(Debug, thiserror::Error)]
pub enum SessionFileError {
    #[error(
        "there is no directory for session files: set {SESSION_DIR_VAR} \
         (or XDG_RUNTIME_DIR, or HOME) to an absolute path"
    )]
    NoSessionDir,
    #[error("{SESSION_DIR_VAR}={} is not an absolute path; set it to one", path.display())]
    RelativeSessionDir { path: PathBuf },
    #[error(
        "the node name {node:?} cannot name a session file; use the node's short \
         name (letters, digits, '_', '-')"
    )]
    InvalidNode { node: String },
    #[error("the data directory {} cannot be resolved ({source}); check --data-dir", path.display())]
    DataDir { path: PathBuf, source: io::Error },
    #[error(
        "cannot create the session directory {} ({source}); check its permissions \
         or set {SESSION_DIR_VAR}", path.display()
    )]
    CreateDir { path: PathBuf, source: io::Error },
    #[error(
        "cannot write the session file {} ({source}); check the directory's \
         permissions and free space, then run `login` again", path.display()
    )]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot read the session file {} ({source}); run `login` again", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error(
        "the session file {} does not hold a session token; run `login` again",
        path.display()
    )]
    Malformed { path: PathBuf },
    #[error(
        "the session file {} can be read or written by group or others (mode {mode:03o}); \
         check who can read it, then run `login` again", path.display()
    )]
    Exposed { path: PathBuf, mode: u32 },
    #[error("cannot remove the session file {} ({source}); remove it by hand", path.display())]
    Remove { path: PathBuf, source: io::Error },
    #[error(
        "no password on standard input: --password-stdin reads one line; pipe the password in"
    )]
    EmptyPassword,
    #[error("the password on standard input is longer than {MAX_PASSWORD_BYTES} bytes")]
    PasswordTooLong,
    #[error("cannot read the password from standard input ({source})")]
    PasswordStdin { source: io::Error },
    #[error(
        "cannot prompt for the password: there is no terminal{}; \
         pipe it in with --password-stdin",
        detail(source)
    )]
    NoTerminal { source: Option<io::Error> },
}

fn detail(source: &Option<io::Error>) -> String {
    source
        .as_ref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default()
}

/// Where session tokens live: `$LIANDONG_SESSION_DIR`, else
/// `$XDG_RUNTIME_DIR/liandong`, else `$HOME/.config/liandong/sessions`.
pub fn session_dir() -> Result<PathBuf, SessionFileError> {
    session_dir_from(|name| std::env::var(name).ok())
}

/// [`session_dir`] with the environment given as a function. Empty values
/// count as unset; relative `XDG_RUNTIME_DIR` and `HOME` are ignored.
pub fn session_dir_from(env: impl Fn(&str) -> Option<String>) -> Result<PathBuf, SessionFileError> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var(SESSION_DIR_VAR) {
        if dir.is_relative() {
            return Err(SessionFileError::RelativeSessionDir { path: dir });
        }
        return Ok(dir);
    }
    if let Some(dir) = var("XDG_RUNTIME_DIR").filter(|d| d.is_absolute()) {
        return Ok(dir.join("liandong"));
    }
    if let Some(home) = var("HOME").filter(|d| d.is_absolute()) {
        return Ok(home.join(".config").join("liandong").join("sessions"));
    }
    Err(SessionFileError::NoSessionDir)
}

/// `<session dir>/<node>-<8 hex of blake3(canonical data dir)>.session`.
pub fn session_file(node: &str, data_dir: &Path) -> Result<PathBuf, SessionFileError> {
    session_file_in(&session_dir()?, node, data_dir)
}

/// [`session_file`] under the session directory `dir`.
pub fn session_file_in(
    dir: &Path,
    node: &str,
    data_dir: &Path,
) -> Result<PathBuf, SessionFileError> {
    let valid = !node.is_empty()
        && node.len() <= MAX_NODE_NAME
        && !node.starts_with(['.', '-'])
        && node
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if !valid {
        return Err(SessionFileError::InvalidNode {
            node: node.to_string(),
        });
    }
    let canonical = fs::canonicalize(data_dir).map_err(|source| SessionFileError::DataDir {
        path: data_dir.to_path_buf(),
        source,
    })?;
    let digest = blake3::hash(canonical.as_os_str().as_encoded_bytes());
    Ok(dir.join(format!("{node}-{}.session", &digest.to_hex()[..8])))
}

/// Writes `token` to `path`: creates the directory 0700 if missing, writes a
/// temporary file created 0600 beside it, then renames it over `path`.
pub fn save_token(path: &Path, token: &SessionToken) -> Result<(), SessionFileError> {
    let write_err = |source| SessionFileError::Write {
        path: path.to_path_buf(),
        source,
    };
    let (dir, name) = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => (dir, name.to_string_lossy()),
        _ => return Err(write_err(io::Error::other("not a file path"))),
    };
    if !dir.as_os_str().is_empty() && !dir.is_dir() {
        DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|source| SessionFileError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
    }
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = write_new_private(&temp, token).and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        // Best effort: the write already failed, and that error is the one to report.
        let _ = fs::remove_file(&temp);
    }
    written.map_err(write_err)
}

/// Creates `temp` afresh with mode 0600 and writes the token and a newline.
fn write_new_private(temp: &Path, token: &SessionToken) -> io::Result<()> {
    match fs::remove_file(temp) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(temp)?;
    file.write_all(token.as_str().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

/// Reads the token at `path`: `None` when there is no file; an error when it
/// cannot be read, does not hold a token, or group or others may access it.
pub fn load_token(path: &Path) -> Result<Option<SessionToken>, SessionFileError> {
    let read_err = |source| SessionFileError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_err(e)),
    };
    let meta = file.metadata().map_err(read_err)?;
    if !meta.is_file() {
        return Err(SessionFileError::Malformed {
            path: path.to_path_buf(),
        });
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(SessionFileError::Exposed {
            path: path.to_path_buf(),
            mode,
        });
    }
    let mut text = String::new();
    file.take(MAX_TOKEN_FILE_BYTES)
        .read_to_string(&mut text)
        .map_err(read_err)?;
    let line = text.strip_suffix('\n').unwrap_or(&text);
    SessionToken::parse(line)
        .map(Some)
        .map_err(|_| SessionFileError::Malformed {
            path: path.to_path_buf(),
        })
}

/// Removes the token at `path`; whether there was one.
pub fn remove_token(path: &Path) -> Result<bool, SessionFileError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(SessionFileError::Remove {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// The password: with `password_stdin`, one line from standard input;
/// otherwise prompted with `prompt` on the terminal without echo.
pub fn read_password(password_stdin: bool, prompt: &str) -> Result<String, SessionFileError> {
    if password_stdin {
        return read_password_line(&mut io::stdin().lock());
    }
    if !io::stdin().is_terminal() {
        return Err(SessionFileError::NoTerminal { source: None });
    }
    let password = rpassword::prompt_password(prompt)
        .map_err(|e| SessionFileError::NoTerminal { source: Some(e) })?;
    if password.is_empty() {
        return Err(SessionFileError::EmptyPassword);
    }
    Ok(password)
}

/// One line from `input`, without its line ending (`\n` or `\r\n`); empty
/// or missing is [`SessionFileError::EmptyPassword`].
fn read_password_line(input: &mut impl BufRead) -> Result<String, SessionFileError> {
    let mut line = String::new();
    let limit = MAX_PASSWORD_BYTES as u64 + 2;
    input
        .take(limit)
        .read_line(&mut line)
        .map_err(|source| SessionFileError::PasswordStdin { source })?;
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(SessionFileError::PasswordTooLong);
    }
    if password.is_empty() {
        return Err(SessionFileError::EmptyPassword);
    }
    Ok(password.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn the_session_dir_prefers_the_override_then_runtime_then_home() {
        let all = [
            (SESSION_DIR_VAR, "/srv/sessions"),
            ("XDG_RUNTIME_DIR", "/run/user/1000"),
            ("HOME", "/home/clerk"),
        ];
        assert_eq!(
            session_dir_from(env(&all)).unwrap(),
            PathBuf::from("/srv/sessions")
        );
        assert_eq!(
            session_dir_from(env(&all[1..])).unwrap(),
            PathBuf::from("/run/user/1000/liandong")
        );
        assert_eq!(
            session_dir_from(env(&all[2..])).unwrap(),
            PathBuf::from("/home/clerk/.config/liandong/sessions")
        );
        let empty_runtime = [("XDG_RUNTIME_DIR", ""), ("HOME", "/home/clerk")];
        assert_eq!(
            session_dir_from(env(&empty_runtime)).unwrap(),
            PathBuf::from("/home/clerk/.config/liandong/sessions")
        );
    }

    #[test]
    fn without_any_variable_the_error_names_them() {
        let err = session_dir_from(env(&[("HOME", "relative")])).unwrap_err();
        assert!(matches!(err, SessionFileError::NoSessionDir));
        let text = err.to_string();
        assert!(
            text.contains(SESSION_DIR_VAR) && text.contains("HOME"),
            "{text}"
        );
        let err = session_dir_from(env(&[(SESSION_DIR_VAR, "rel/dir")])).unwrap_err();
        assert!(matches!(err, SessionFileError::RelativeSessionDir { .. }));
    }

    #[test]
    fn the_session_file_is_per_node_and_data_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        let dir = Path::new("/run/user/1000/liandong");
        let file = session_file_in(dir, "T01", &a).unwrap();
        assert_eq!(file.parent(), Some(dir));
        let name = file.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("T01-") && name.ends_with(".session"),
            "{name}"
        );
        assert_eq!(name.len(), "T01-".len() + 8 + ".session".len());
        // The same directory however it is spelt; another directory or node differs.
        assert_eq!(session_file_in(dir, "T01", &a.join("../a")).unwrap(), file);
        assert_ne!(session_file_in(dir, "T01", &b).unwrap(), file);
        assert_ne!(session_file_in(dir, "T02", &a).unwrap(), file);
    }

    #[test]
    fn node_names_that_could_escape_the_directory_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        for node in ["", "../T01", "a/b", ".hidden", "-x", "T 01"] {
            assert!(
                matches!(
                    session_file_in(tmp.path(), node, tmp.path()),
                    Err(SessionFileError::InvalidNode { .. })
                ),
                "{node:?}"
            );
        }
        let missing = tmp.path().join("missing");
        let err = session_file_in(tmp.path(), "T01", &missing).unwrap_err();
        assert!(matches!(err, SessionFileError::DataDir { .. }), "{err}");
    }

    #[test]
    fn a_saved_token_loads_back_from_a_private_file_in_a_private_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("sessions/nested/T01-00000000.session");
        let token = SessionToken::new_random();
        save_token(&path, &token).unwrap();
        assert_eq!(load_token(&path).unwrap(), Some(token.clone()));
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        // Saving again replaces the token and leaves no temporary file.
        let newer = SessionToken::new_random();
        save_token(&path, &newer).unwrap();
        assert_eq!(load_token(&path).unwrap(), Some(newer));
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn no_file_loads_as_no_token_and_removes_as_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("T01.session");
        assert_eq!(load_token(&path).unwrap(), None);
        assert!(!remove_token(&path).unwrap());
        save_token(&path, &SessionToken::new_random()).unwrap();
        assert!(remove_token(&path).unwrap());
        assert_eq!(load_token(&path).unwrap(), None);
    }

    #[test]
    fn a_file_others_can_read_is_refused_and_says_to_check_who() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("T01.session");
        save_token(&path, &SessionToken::new_random()).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = load_token(&path).unwrap_err();
        assert!(
            matches!(err, SessionFileError::Exposed { mode: 0o644, .. }),
            "{err}"
        );
        let text = err.to_string();
        assert!(
            text.contains("T01.session") && text.contains("who can read"),
            "{text}"
        );
    }

    #[test]
    fn a_malformed_file_is_refused_and_says_to_log_in_again() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("T01.session");
        for content in ["", "not a token\n", &"A".repeat(64), &"0".repeat(4096)] {
            fs::write(&path, content).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
            let err = load_token(&path).unwrap_err();
            assert!(matches!(err, SessionFileError::Malformed { .. }), "{err}");
            assert!(err.to_string().contains("login"), "{err}");
        }
        let dir = tmp.path().join("dir.session");
        fs::create_dir(&dir).unwrap();
        assert!(load_token(&dir).is_err());
    }

    #[test]
    fn one_line_is_read_from_stdin_without_its_line_ending() {
        let read = |input: &str| read_password_line(&mut input.as_bytes());
        assert_eq!(read("s3cret pass\nnext line\n").unwrap(), "s3cret pass");
        assert_eq!(read("s3cret\r\n").unwrap(), "s3cret");
        assert_eq!(read("no newline").unwrap(), "no newline");
        assert_eq!(read(" keeps spaces \n").unwrap(), " keeps spaces ");
        for empty in ["", "\n", "\r\n"] {
            assert!(matches!(read(empty), Err(SessionFileError::EmptyPassword)));
        }
        let long = "x".repeat(MAX_PASSWORD_BYTES + 1);
        assert!(matches!(
            read(&long),
            Err(SessionFileError::PasswordTooLong)
        ));
        assert_eq!(
            read(&"x".repeat(MAX_PASSWORD_BYTES)).unwrap().len(),
            MAX_PASSWORD_BYTES
        );
    }

    #[test]
    fn invalid_utf8_on_stdin_is_an_error_not_a_panic() {
        let err = read_password_line(&mut &b"\xff\xfe\n"[..]).unwrap_err();
        assert!(
            matches!(err, SessionFileError::PasswordStdin { .. }),
            "{err}"
        );
    }
}
