//! The backup file (format version 1): the line `LIANDONG-BACKUP 1 <node>\n`,
//! then for each operation a little-endian u32 length and the operation's
//! bytes, then a u32 zero and the 32-byte blake3 hash of everything before
//! it; nothing after that.
//!
//! [`HashingWriter`] writes one; [`BackupReader`] reads one record by
//! record, hashing as it goes. The reader never trusts the file: a length
//! over [`MAX_OP_BYTES`], a record that does not decode, a file that ends
//! early (truncated), a wrong checksum or bytes after it are each a
//! [`Damage`] that says what and where, never a panic.

use std::io::{BufReader, ErrorKind, Read, Write};

use liandong_model::{EncodedOp, MAX_OP_BYTES};

const MAGIC: &str = "LIANDONG-BACKUP 1";

/// Longest header line accepted (the magic, a space, a node id).
const MAX_HEADER: usize = 256;

/// The header line of a backup of `node`.
pub(super) fn header(node: &impl std::fmt::Display) -> String {
    format!("{MAGIC} {node}\n")
}

/// Why a file is not a sound backup, in words for the operator.
#[derive(Debug)]
pub(super) struct Damage(pub(super) String);

impl Damage {
    fn at(what: &str, e: std::io::Error) -> Damage {
        if e.kind() == ErrorKind::UnexpectedEof {
            Damage(format!("the backup is truncated: it ends {what}"))
        } else {
            Damage(format!("reading the backup {what}: {e}"))
        }
    }
}

/// Reads a backup file record by record.
pub(super) struct BackupReader<R: Read> {
    input: BufReader<R>,
    hasher: blake3::Hasher,
    /// The node named in the header.
    pub(super) node: String,
    /// Operations read so far.
    pub(super) operations: u64,
    /// Bytes read so far.
    pub(super) bytes: u64,
    /// The checksum, once it was read and matched.
    pub(super) checksum: Option<[u8; 32]>,
}

impl<R: Read> BackupReader<R> {
    /// Reads and checks the header line.
    pub(super) fn open(input: R) -> Result<BackupReader<R>, Damage> {
        let mut input = BufReader::new(input);
        let mut line = Vec::new();
        let mut byte = [0u8; 1];
        while line.last() != Some(&b'\n') {
            if line.len() > MAX_HEADER {
                return Err(Damage("not a Liandong backup (no header line)".into()));
            }
            input
                .read_exact(&mut byte)
                .map_err(|e| Damage::at("inside its header", e))?;
            line.push(byte[0]);
        }
        let text = std::str::from_utf8(&line[..line.len() - 1])
            .map_err(|_| Damage("not a Liandong backup (bad header)".into()))?;
        let node = text
            .strip_prefix(MAGIC)
            .and_then(|rest| rest.strip_prefix(' '))
            .filter(|node| !node.is_empty())
            .ok_or_else(|| Damage("not a Liandong backup (bad header)".into()))?;
        let mut hasher = blake3::Hasher::new();
        hasher.update(&line);
        Ok(BackupReader {
            node: node.to_string(),
            input,
            hasher,
            operations: 0,
            bytes: line.len() as u64,
            checksum: None,
        })
    }

    /// The next operation; `None` at the end marker, once the checksum
    /// matched and nothing follows it.
    pub(super) fn next_op(&mut self) -> Result<Option<EncodedOp>, Damage> {
        let n = self.operations + 1;
        let mut len = [0u8; 4];
        self.read(&mut len, &format!("before operation {n} or its end marker"))?;
        let len = u32::from_le_bytes(len) as usize;
        if len == 0 {
            self.finish()?;
            return Ok(None);
        }
        if len > MAX_OP_BYTES {
            return Err(Damage(format!(
                "operation {n} claims {len} bytes, over the {MAX_OP_BYTES}-byte limit"
            )));
        }
        let mut bytes = vec![0u8; len];
        self.read(&mut bytes, &format!("inside operation {n}"))?;
        let op = EncodedOp::decode(bytes)
            .map_err(|e| Damage(format!("operation {n} does not decode: {e}")))?;
        self.operations = n;
        Ok(Some(op))
    }

    /// Checks the checksum after the end marker, and that nothing follows.
    fn finish(&mut self) -> Result<(), Damage> {
        let mut expected = [0u8; 32];
        self.input
            .read_exact(&mut expected)
            .map_err(|e| Damage::at("inside its checksum", e))?;
        self.bytes += 32;
        if self.hasher.finalize().as_bytes() != &expected {
            return Err(Damage(
                "checksum mismatch: the file is damaged or truncated".into(),
            ));
        }
        self.checksum = Some(expected);
        let mut extra = [0u8; 1];
        match self.input.read(&mut extra) {
            Ok(0) => Ok(()),
            Ok(_) => Err(Damage("bytes follow its checksum".into())),
            Err(e) => Err(Damage::at("after its checksum", e)),
        }
    }

    fn read(&mut self, buf: &mut [u8], what: &str) -> Result<(), Damage> {
        self.input
            .read_exact(buf)
            .map_err(|e| Damage::at(what, e))?;
        self.hasher.update(buf);
        self.bytes += buf.len() as u64;
        Ok(())
    }
}

/// Writes through to `inner`, hashing and counting what was written.
pub(super) struct HashingWriter<W: Write> {
    pub(super) inner: W,
    pub(super) hasher: blake3::Hasher,
    pub(super) written: u64,
}

impl<W: Write> HashingWriter<W> {
    pub(super) fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: blake3::Hasher::new(),
            written: 0,
        }
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
