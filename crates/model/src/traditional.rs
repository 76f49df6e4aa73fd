//! OpenSSL's traditional encrypted PEM keys (`Proc-Type: 4,ENCRYPTED` with
//! `DEK-Info: <cipher>,<hex IV>`): the key is EVP_BytesToKey(MD5, salt = first 8 bytes of
//! the IV, one iteration) and the body is CBC with PKCS#7 padding.

use crate::ReadErrorKind;
use cbc::cipher::{block_padding::Pkcs7, BlockModeDecrypt, KeyIvInit};
use md5::{Digest, Md5};

/// The cipher named in a DEK-Info header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cipher {
    Aes128,
    Aes192,
    Aes256,
    DesEde3,
    Des,
}

impl Cipher {
    fn key_len(self) -> usize {
        match self {
            Cipher::Aes128 => 16,
            Cipher::Aes192 => 24,
            Cipher::Aes256 => 32,
            Cipher::DesEde3 => 24,
            Cipher::Des => 8,
        }
    }

    fn iv_len(self) -> usize {
        match self {
            Cipher::Aes128 | Cipher::Aes192 | Cipher::Aes256 => 16,
            Cipher::DesEde3 | Cipher::Des => 8,
        }
    }
}

/// A parsed DEK-Info header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DekInfo {
    pub cipher: Cipher,
    pub name: String,
    pub iv: Vec<u8>,
}

/// Parses `AES-256-CBC,0123…` (the value of DEK-Info).
pub(crate) fn parse_dek_info(value: &str) -> Result<DekInfo, ReadErrorKind> {
    let (name, iv_hex) = value
        .split_once(',')
        .ok_or_else(|| ReadErrorKind::Unsupported(format!("DEK-Info {value:?}")))?;
    let name = name.trim().to_ascii_uppercase();
    let cipher = match name.as_str() {
        "AES-128-CBC" => Cipher::Aes128,
        "AES-192-CBC" => Cipher::Aes192,
        "AES-256-CBC" => Cipher::Aes256,
        "DES-EDE3-CBC" => Cipher::DesEde3,
        "DES-CBC" => Cipher::Des,
        other => {
            return Err(ReadErrorKind::Unsupported(format!(
                "traditional PEM encryption {other}"
            )))
        }
    };
    let iv = hex::decode(iv_hex.trim()).map_err(|_| ReadErrorKind::BadPem {
        block: 0,
        reason: "DEK-Info IV is not hex".into(),
    })?;
    if iv.len() != cipher.iv_len() {
        return Err(ReadErrorKind::Unsupported(format!(
            "DEK-Info IV of {} bytes for {name}",
            iv.len()
        )));
    }
    Ok(DekInfo { cipher, name, iv })
}

/// OpenSSL's EVP_BytesToKey with MD5 and one iteration.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    let mut key = Vec::with_capacity(len + 16);
    let mut prev: Vec<u8> = Vec::new();
    while key.len() < len {
        let mut h = Md5::new();
        h.update(&prev);
        h.update(password);
        h.update(salt);
        prev = h.finalize().to_vec();
        key.extend_from_slice(&prev);
    }
    key.truncate(len);
    key
}

/// Decrypts the body; a padding failure means a wrong password (or a damaged file).
pub(crate) fn decrypt(
    dek: &DekInfo,
    password: &str,
    body: &[u8],
) -> Result<Vec<u8>, ReadErrorKind> {
    let salt = dek.iv.get(..8).unwrap_or_default();
    let key = bytes_to_key(password.as_bytes(), salt, dek.cipher.key_len());
    let wrong = || ReadErrorKind::BadPassword {
        what: "encrypted private key".into(),
    };
    let malformed = || ReadErrorKind::BadPem {
        block: 0,
        reason: "bad key or IV length".into(),
    };
    match dek.cipher {
        Cipher::Aes128 => cbc::Decryptor::<aes::Aes128>::new_from_slices(&key, &dek.iv)
            .map_err(|_| malformed())?
            .decrypt_padded_vec::<Pkcs7>(body)
            .map_err(|_| wrong()),
        Cipher::Aes192 => cbc::Decryptor::<aes::Aes192>::new_from_slices(&key, &dek.iv)
            .map_err(|_| malformed())?
            .decrypt_padded_vec::<Pkcs7>(body)
            .map_err(|_| wrong()),
        Cipher::Aes256 => cbc::Decryptor::<aes::Aes256>::new_from_slices(&key, &dek.iv)
            .map_err(|_| malformed())?
            .decrypt_padded_vec::<Pkcs7>(body)
            .map_err(|_| wrong()),
        Cipher::DesEde3 => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &dek.iv)
            .map_err(|_| malformed())?
            .decrypt_padded_vec::<Pkcs7>(body)
            .map_err(|_| wrong()),
        Cipher::Des => cbc::Decryptor::<des::Des>::new_from_slices(&key, &dek.iv)
            .map_err(|_| malformed())?
            .decrypt_padded_vec::<Pkcs7>(body)
            .map_err(|_| wrong()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dek_info_parses_and_refuses() {
        let d = parse_dek_info("AES-256-CBC,00112233445566778899AABBCCDDEEFF").unwrap();
        assert_eq!(d.cipher, Cipher::Aes256);
        assert_eq!(d.iv.len(), 16);
        assert!(parse_dek_info("AES-256-CBC,0011").is_err());
        assert!(parse_dek_info("BF-CBC,0011223344556677").is_err());
        assert!(parse_dek_info("nonsense").is_err());
    }

    #[test]
    fn bytes_to_key_matches_openssl() {
        // openssl enc -aes-128-cbc -k pass -S 0102030405060708 -P -md md5 prints the key
        // and then the IV, which is the next 16 bytes of the same derivation.
        let k = bytes_to_key(b"pass", &[1, 2, 3, 4, 5, 6, 7, 8], 32);
        assert_eq!(
            hex::encode_upper(k),
            "86A00079BEB5DCA79870668BB0C56A7EB158E10AC9A1EC44CD2FD6CCF7796367"
        );
    }

    #[test]
    fn wrong_length_body_is_an_error() {
        let d = parse_dek_info("DES-EDE3-CBC,0011223344556677").unwrap();
        assert!(decrypt(&d, "x", &[1, 2, 3]).is_err());
    }
}
