//! TFRecord framing: how event files store one serialized `Event` after
//! another.
//!
//! Each record is, little-endian:
//!
//! ```text
//! u64 length | u32 masked_crc32c(length bytes) | data[length] | u32 masked_crc32c(data)
//! ```
//!
//! The CRC is CRC-32C (Castagnoli: reflected polynomial `0x82F63B78`,
//! initial value and final xor `0xFFFFFFFF`), "masked" as TensorFlow does
//! (`tensorflow/core/lib/hash/crc32c.h`): rotated right by 15 bits, plus
//! `0xa282ead8`, so that a CRC stored inside CRC-protected data does not
//! checksum to a fixed value.
//!
//! ```
//! use tensorlow::summary::{crc32c, masked_crc32c};
//! assert_eq!(crc32c(b"123456789"), 0xE306_9283); // the CRC catalogue's check value
//! assert_eq!(masked_crc32c(b""), 0xa282_ead8); // crc32c("") = 0, so the mask's constant
//! ```

/// The CRC-32C lookup table (one byte at a time), built at compile time.
const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ 0x82F6_3B78 } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// CRC-32C (Castagnoli) of `data`, as iSCSI, ext4 and TFRecord use it.
pub fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc = TABLE[((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

/// TensorFlow's masked CRC-32C of `data`: `rotr(crc, 15) + 0xa282ead8`.
pub fn masked_crc32c(data: &[u8]) -> u32 {
    crc32c(data).rotate_right(15).wrapping_add(0xa282_ead8)
}

/// Appends one TFRecord holding `data` to `out`.
pub(crate) fn write_record(out: &mut Vec<u8>, data: &[u8]) {
    let len = (data.len() as u64).to_le_bytes();
    out.reserve(data.len() + 16);
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc32c(&len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked_crc32c(data).to_le_bytes());
}

/// Splits a TFRecord stream into its records, checking both CRCs of each:
/// every length is checked against the bytes left, and a truncated or
/// corrupt record is an error (no panic).
pub(crate) fn read_records(mut bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut records = Vec::new();
    while !bytes.is_empty() {
        if bytes.len() < 12 {
            return Err(format!("truncated header: {} bytes left", bytes.len()));
        }
        let (len_bytes, rest) = bytes.split_at(8);
        let len = u64::from_le_bytes(len_bytes.try_into().unwrap());
        let crc = u32::from_le_bytes(rest[..4].try_into().unwrap());
        if crc != masked_crc32c(len_bytes) {
            return Err(format!("record {}: length CRC mismatch", records.len()));
        }
        let rest = &rest[4..];
        let len = usize::try_from(len).map_err(|_| "length overflows usize".to_string())?;
        if rest.len() < len.saturating_add(4) {
            return Err(format!("record {}: truncated data", records.len()));
        }
        let (data, rest) = rest.split_at(len);
        let crc = u32::from_le_bytes(rest[..4].try_into().unwrap());
        if crc != masked_crc32c(data) {
            return Err(format!("record {}: data CRC mismatch", records.len()));
        }
        records.push(data);
        bytes = &rest[4..];
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC-32C one bit at a time, straight from the definition (no table):
    /// an independent check of the table-driven version.
    fn crc32c_bitwise(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= b as u32;
            for _ in 0..8 {
                let lsb = crc & 1;
                crc >>= 1;
                if lsb == 1 {
                    crc ^= 0x82F6_3B78;
                }
            }
        }
        crc ^ 0xFFFF_FFFF
    }

    #[test]
    fn crc32c_known_vectors() {
        // The CRC catalogue's check value for CRC-32C ("CRC-32/ISCSI").
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        // RFC 3720 (iSCSI), appendix B.4: 32 bytes of 0x00, of 0xFF, and 0..31.
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
        assert_eq!(crc32c(&[0xFFu8; 32]), 0x62A8_AB43);
        let ascending: Vec<u8> = (0..32).collect();
        assert_eq!(crc32c(&ascending), 0x46DD_794E);
        // Empty input: ~(~0) = 0.
        assert_eq!(crc32c(b""), 0);
        for data in [&b"123456789"[..], &[0u8; 8], &ascending, b"brain.Event:2"] {
            assert_eq!(crc32c(data), crc32c_bitwise(data));
        }
    }

    #[test]
    fn masking_by_hand() {
        // crc = 0xE3069283 (of "123456789").
        //   crc >> 15          = 0x0001C60D
        //   crc << 17 (32 bit) = 0x25060000
        //   rotr(crc, 15)      = 0x0001C60D | 0x25060000 = 0x2507C60D
        //   + 0xA282EAD8       = 0xC78AB0E5
        assert_eq!(masked_crc32c(b"123456789"), 0xC78A_B0E5);
        // crc = 0 (empty): rotr(0, 15) + 0xA282EAD8 = 0xA282EAD8.
        assert_eq!(masked_crc32c(b""), 0xA282_EAD8);
        // crc = 0x8A9136AA (32 zero bytes):
        //   >> 15 = 0x00011522, << 17 = 0x6D540000, rotr = 0x6D551522,
        //   + 0xA282EAD8 = 0x1_0FD7FFFA -> 0x0FD7FFFA (mod 2^32).
        assert_eq!(masked_crc32c(&[0u8; 32]), 0x0FD7_FFFA);
    }

    #[test]
    fn framing_of_an_empty_and_a_short_record() {
        // Empty record: length 0 as 8 zero bytes; crc32c(8 zero bytes) =
        // 0x8C28B28A, masked: >> 15 = 0x00011851, << 17 = 0x65140000,
        // rotr = 0x65151851, + 0xA282EAD8 = 0x07980329 (mod 2^32); the data
        // CRC is the mask's constant 0xA282EAD8.
        let mut out = Vec::new();
        write_record(&mut out, b"");
        assert_eq!(crc32c(&[0u8; 8]), 0x8C28_B28A);
        let expected: [u8; 16] = [
            0, 0, 0, 0, 0, 0, 0, 0, // length
            0x29, 0x03, 0x98, 0x07, // masked crc of the length, little-endian
            0xD8, 0xEA, 0x82, 0xA2, // masked crc of no data
        ];
        assert_eq!(out, expected);

        // "123456789": length 9 = 09 00 .. 00, then its masked CRC, the 9
        // bytes, and 0xC78AB0E5 (computed in `masking_by_hand`).
        let mut out = Vec::new();
        write_record(&mut out, b"123456789");
        assert_eq!(out.len(), 8 + 4 + 9 + 4);
        assert_eq!(&out[..8], &[9, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(&out[8..12], &masked_crc32c(&out[..8]).to_le_bytes());
        assert_eq!(&out[12..21], b"123456789");
        assert_eq!(&out[21..], &[0xE5, 0xB0, 0x8A, 0xC7]);
        assert_eq!(read_records(&out).unwrap(), vec![&b"123456789"[..]]);
    }

    #[test]
    fn reader_rejects_corruption() {
        let mut out = Vec::new();
        write_record(&mut out, b"abc");
        write_record(&mut out, b"defg");
        assert_eq!(read_records(&out).unwrap().len(), 2);
        let mut bad = out.clone();
        bad[13] ^= 1; // a data byte of the first record
        assert!(read_records(&bad).unwrap_err().contains("data CRC"));
        let mut bad = out.clone();
        bad[0] = 200; // the first length
        assert!(read_records(&bad).unwrap_err().contains("length CRC"));
        assert!(read_records(&out[..out.len() - 1]).is_err());
    }
}
