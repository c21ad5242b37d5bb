//! Files to upload: photos with the metadata a phone writes, and files
//! that must be refused. Built here byte by byte, so each test knows
//! exactly what went in.

use image::{DynamicImage, ImageEncoder, Rgb, RgbImage};

/// What the photo's metadata gives away, as written into it.
pub const SERIAL: &str = "SN-4815162342";
pub const CAMERA: &str = "Pixel Rahasia";

/// A JPEG of `w`×`h`: the left half red, the right half blue.
pub fn plain_jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, _| {
        if x < w / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .expect("a JPEG");
    out
}

/// A noisy photo of `w`×`h` (compresses like a real one).
pub fn noisy_jpeg(w: u32, h: u32, quality: u8) -> Vec<u8> {
    let mut seed: u32 = 0x1234_5678;
    let img = RgbImage::from_fn(w, h, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let n = (seed & 0x3f) as u8;
        Rgb([
            ((x * 255 / w) as u8).saturating_add(n),
            ((y * 255 / h) as u8).saturating_add(n / 2),
            128u8.saturating_add(n),
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(img.as_raw(), w, h, image::ExtendedColorType::Rgb8)
        .expect("a JPEG");
    out
}

struct Tiff {
    bytes: Vec<u8>,
}

impl Tiff {
    fn u16(&mut self, v: u16) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    /// An IFD at the current end; entries are (tag, type, count, value or
    /// offset bytes); data too long for the entry goes after the IFD.
    fn ifd(&mut self, entries: &[(u16, u16, u32, Vec<u8>)]) -> Vec<usize> {
        let start = self.bytes.len();
        let data_start = start + 2 + entries.len() * 12 + 4;
        let mut data = Vec::new();
        let mut slots = Vec::new();
        self.u16(entries.len() as u16);
        for (tag, kind, count, value) in entries {
            self.u16(*tag);
            self.u16(*kind);
            self.u32(*count);
            slots.push(self.bytes.len());
            if value.len() <= 4 {
                let mut v = value.clone();
                v.resize(4, 0);
                self.bytes.extend_from_slice(&v);
            } else {
                self.u32((data_start + data.len()) as u32);
                data.extend_from_slice(value);
                if data.len() % 2 == 1 {
                    data.push(0);
                }
            }
        }
        self.u32(0);
        self.bytes.extend_from_slice(&data);
        slots
    }
    fn patch(&mut self, at: usize, v: u32) {
        self.bytes[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }
}

fn ascii(s: &str) -> (u32, Vec<u8>) {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    (v.len() as u32, v)
}

fn rationals(values: &[(u32, u32)]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|(n, d)| n.to_le_bytes().into_iter().chain(d.to_le_bytes()))
        .collect()
}

/// An Exif block as a phone writes it: make, model, orientation 6 (turn
/// 90° clockwise to view), the body's serial number and a GPS position.
fn exif_block() -> Vec<u8> {
    let mut t = Tiff {
        bytes: b"II*\0".to_vec(),
    };
    t.u32(8);
    let (make_n, make) = ascii("Google");
    let (model_n, model) = ascii(CAMERA);
    let ifd0 = t.ifd(&[
        (0x010F, 2, make_n, make),
        (0x0110, 2, model_n, model),
        (0x0112, 3, 1, 6u16.to_le_bytes().to_vec()),
        (0x8769, 4, 1, vec![0; 4]),
        (0x8825, 4, 1, vec![0; 4]),
    ]);
    let exif_at = t.bytes.len() as u32;
    let (serial_n, serial) = ascii(SERIAL);
    t.ifd(&[(0xA431, 2, serial_n, serial)]);
    let gps_at = t.bytes.len() as u32;
    t.ifd(&[
        (0x0001, 2, 2, b"S\0".to_vec()),
        (0x0002, 5, 3, rationals(&[(8, 1), (39, 1), (1234, 100)])),
        (0x0003, 2, 2, b"E\0".to_vec()),
        (0x0004, 5, 3, rationals(&[(115, 1), (10, 1), (5678, 100)])),
    ]);
    t.patch(ifd0[3], exif_at);
    t.patch(ifd0[4], gps_at);
    let mut block = b"Exif\0\0".to_vec();
    block.extend_from_slice(&t.bytes);
    block
}

fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    s.extend_from_slice(payload);
    s
}

/// A photo straight from a phone: Exif with GPS, serial and orientation 6,
/// an XMP packet, an ICC profile and a comment. Stored 64×32 (red left,
/// blue right); upright it is 32×64, red on top.
pub fn phone_photo() -> Vec<u8> {
    let jpeg = plain_jpeg(64, 32);
    let mut out = jpeg[..2].to_vec();
    out.extend(segment(0xE1, &exif_block()));
    let xmp = format!(
        "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF><rdf:Description exif:GPSLatitude=\"8,39.2S\" aux:SerialNumber=\"{SERIAL}\"/></rdf:RDF></x:xmpmeta>"
    );
    out.extend(segment(0xE1, xmp.as_bytes()));
    let mut icc = b"ICC_PROFILE\0\x01\x01".to_vec();
    icc.extend_from_slice(&[0u8; 128]);
    out.extend(segment(0xE2, &icc));
    out.extend(segment(0xFE, format!("owner {SERIAL}").as_bytes()));
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = (data.len() as u32).to_be_bytes().to_vec();
    c.extend_from_slice(kind);
    c.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    c.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    c
}

/// A PNG with text chunks (a comment, a location) before its image data.
pub fn png_with_text() -> Vec<u8> {
    let img = DynamicImage::ImageRgb8(RgbImage::from_pixel(40, 30, Rgb([10, 200, 10])));
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(img.as_bytes(), 40, 30, image::ExtendedColorType::Rgb8)
        .expect("a PNG");
    // After the signature (8) and IHDR (25): the text chunks.
    let mut out = png[..33].to_vec();
    out.extend(chunk(
        b"tEXt",
        format!("Comment\0camera {SERIAL}").as_bytes(),
    ));
    out.extend(chunk(b"iTXt", b"Location\0\0\0\0\0Jalan Rahasia 7"));
    out.extend_from_slice(&png[33..]);
    out
}

/// A PNG that claims 30,000 × 30,000 pixels (900 million: 2.7 GB decoded)
/// in a few hundred bytes.
pub fn png_bomb() -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&30_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    out.extend(chunk(b"IHDR", &ihdr));
    // A deflate stream of zeros, far too short for what it claims.
    out.extend(chunk(
        b"IDAT",
        &[
            0x78, 0x9c, 0xed, 0xc1, 0x01, 0x0d, 0, 0, 0, 0xc2, 0xa0, 0xf7, 0x4f, 0x6d,
        ],
    ));
    out.extend(chunk(b"IEND", &[]));
    out
}

/// The application (APPn) and comment segments of a JPEG, by marker:
/// where metadata lives.
pub fn jpeg_markers(jpeg: &[u8]) -> Vec<u8> {
    let mut markers = Vec::new();
    let mut at = 2;
    while at + 4 <= jpeg.len() && jpeg[at] == 0xFF {
        let marker = jpeg[at + 1];
        if marker == 0xDA {
            break;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[at + 2], jpeg[at + 3]]));
        if (0xE0..=0xEF).contains(&marker) || marker == 0xFE {
            markers.push(marker);
        }
        at += 2 + len;
    }
    markers
}

/// The chunk types of a PNG.
pub fn png_chunks(png: &[u8]) -> Vec<String> {
    let mut kinds = Vec::new();
    let mut at = 8;
    while at + 8 <= png.len() {
        let len = u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]) as usize;
        kinds.push(String::from_utf8_lossy(&png[at + 4..at + 8]).into_owned());
        at += 12 + len;
    }
    kinds
}

/// A minimal, whole PDF.
pub fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}
