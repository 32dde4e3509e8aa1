//! Checksums for the manifest: SHA-256 of input documents and lexicon files, as lowercase hex.
//!
//! In: bytes (or a finished digest). Out: 64 hexadecimal digits. Guarantees: one spelling of a
//! checksum everywhere it is recorded.

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`, as lowercase hexadecimal.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The size and SHA-256 of the file at `path`, read as a stream (a table of gigabytes is not
/// held in memory for it).
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut std::fs::File::open(path)?, &mut hasher)?;
    Ok((bytes, hex(&hasher.finalize())))
}

/// Bytes as lowercase hexadecimal (a digest for the manifest).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = vec![0; 2 * bytes.len()];
    for (digits, &b) in out.chunks_exact_mut(2).zip(bytes) {
        digits[0] = DIGITS[usize::from(b >> 4)];
        digits[1] = DIGITS[usize::from(b & 15)];
    }
    // Digits only: always UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// The 32 bytes of a SHA-256 written as 64 hexadecimal digits; `None` for anything else.
pub fn bytes_of_hex(hex: &str) -> Option<[u8; 32]> {
    let digits = hex.as_bytes();
    if digits.len() != 64 {
        return None;
    }
    /// A hexadecimal digit's value (either case).
    fn value(digit: u8) -> Option<u8> {
        match digit {
            b'0'..=b'9' => Some(digit - b'0'),
            b'a'..=b'f' => Some(digit - b'a' + 10),
            b'A'..=b'F' => Some(digit - b'A' + 10),
            _ => None,
        }
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        *byte = value(pair[0])? << 4 | value(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }

    #[test]
    fn hex_back_to_bytes() {
        let digest = Sha256::digest(b"abc");
        assert_eq!(bytes_of_hex(&hex(&digest)), Some(digest.into()));
        assert_eq!(bytes_of_hex("ab"), None);
        assert_eq!(bytes_of_hex(&"g".repeat(64)), None);
        assert_eq!(bytes_of_hex(&"aF".repeat(32)), Some([0xaf; 32]));
        assert_eq!(bytes_of_hex(&format!("{}é", "0".repeat(62))), None);
    }

    proptest::proptest! {
        #[test]
        fn any_digest_back_to_bytes(bytes: [u8; 32]) {
            proptest::prop_assert_eq!(bytes_of_hex(&hex(&bytes)), Some(bytes));
        }
    }
}
