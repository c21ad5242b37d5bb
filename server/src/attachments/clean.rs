//! Cleaning: one pipeline for every door (the widget, the hosted form, the
//! API, Open311 `media`, an officer's upload).
//!
//! The type is decided by the bytes alone. Photos (JPEG, PNG, WebP) are
//! decoded with allocation limits, turned upright by their orientation tag,
//! scaled to at most [`Limits::max_side`] pixels on the long side and encoded
//! anew, so nothing of the original file but its pixels leaves: no EXIF, no
//! GPS position, no XMP, no ICC profile, no comment, no trailing data. PDFs
//! are kept as sent once they are checked to be plain PDFs; they are only
//! ever served as downloads.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader};

/// What a cleaned file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Pdf,
}

impl Kind {
    pub fn key(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpeg",
            Kind::Png => "png",
            Kind::Pdf => "pdf",
        }
    }

    pub fn from_key(key: &str) -> Option<Kind> {
        [Kind::Jpeg, Kind::Png, Kind::Pdf]
            .into_iter()
            .find(|k| k.key() == key)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Pdf => "pdf",
        }
    }

    pub fn is_photo(self) -> bool {
        self != Kind::Pdf
    }
}

/// The bounds of the pipeline (settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest side of a cleaned photo, in pixels.
    pub max_side: u32,
    /// Most pixels a photo may have before scaling (a decompression bomb
    /// claims far more).
    pub max_pixels: u64,
    /// Most bytes the decoder may allocate.
    pub max_alloc: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_side: 2048,
            max_pixels: 50_000_000,
            max_alloc: 256 * 1024 * 1024,
        }
    }
}

/// A cleaned file, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cleaned {
    pub kind: Kind,
    pub bytes: Vec<u8>,
    /// Photos only: the size after cleaning, and a small preview.
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub thumb: Option<Vec<u8>>,
}

/// Why a file was refused; nothing of it is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a JPEG, PNG, WebP or PDF by its bytes.
    Unsupported,
    /// It also reads as a web page (markup inside), or a PDF carries
    /// script, launch actions or embedded files.
    Polyglot,
    /// It claims to be a photo or PDF but cannot be read to its end.
    Unreadable,
    /// More pixels than allowed: a decompression bomb, or a panorama too large.
    TooManyPixels,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Unsupported => "file_type_not_accepted",
            Refusal::Polyglot => "file_not_plain",
            Refusal::Unreadable => "file_unreadable",
            Refusal::TooManyPixels => "image_too_large",
        }
    }
}

/// What the first bytes say a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sniffed {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Sniffed::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Sniffed::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Sniffed::Webp)
    } else if bytes.starts_with(b"%PDF-") {
        Some(Sniffed::Pdf)
    } else {
        None
    }
}

/// Markup a browser would run if it ever took the file for a page.
const MARKUP: [&[u8]; 9] = [
    b"<html",
    b"<script",
    b"<!doctype html",
    b"<body",
    b"<svg",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<head",
];

/// What a PDF must not carry: script, actions that start programs, files
/// inside, forms that run code.
const PDF_ACTIVE: [&[u8]; 6] = [
    b"/JavaScript",
    b"/JS",
    b"/Launch",
    b"/EmbeddedFile",
    b"/RichMedia",
    b"/XFA",
];

fn contains_ignoring_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// True when the JPEG's segments lead to a scan and an end-of-image marker
/// follows it: a truncated upload has none.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let mut at = 2;
    // Walk the marker segments up to the first scan.
    loop {
        let Some(&[0xFF, marker]) = bytes.get(at..at + 2) else {
            return false;
        };
        match marker {
            0xFF => at += 1,
            0xD8 | 0x01 | 0xD0..=0xD7 => at += 2,
            0xD9 => return false,
            _ => {
                let Some(len) = bytes.get(at + 2..at + 4) else {
                    return false;
                };
                let len = usize::from(u16::from_be_bytes([len[0], len[1]]));
                if len < 2 {
                    return false;
                }
                if marker == 0xDA {
                    at += 2 + len;
                    break;
                }
                at += 2 + len;
            }
        }
    }
    bytes
        .get(at..)
        .is_some_and(|scan| scan.windows(2).any(|w| w == [0xFF, 0xD9]))
}

/// A PDF without the contents of its streams: the objects and their
/// dictionaries, where actions and names live. (Stream data is compressed
/// images and text, whose bytes can spell anything by chance.)
fn outside_streams(bytes: &[u8]) -> Vec<u8> {
    let mut kept = Vec::with_capacity(bytes.len().min(1 << 20));
    let mut at = 0;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let Some(start) = rest.windows(6).position(|w| w == b"stream") else {
            kept.extend_from_slice(rest);
            break;
        };
        // `stream` as a keyword (not the end of `endstream`).
        let keyword = start < 3 || &rest[start - 3..start] != b"end";
        kept.extend_from_slice(&rest[..start + 6]);
        at += start + 6;
        if keyword {
            match bytes[at..].windows(9).position(|w| w == b"endstream") {
                Some(end) => at += end,
                None => break,
            }
        }
    }
    kept
}

/// True when the PDF ends with an end-of-file marker (a truncated upload
/// has none) and carries nothing active.
fn pdf_check(bytes: &[u8]) -> Result<(), Refusal> {
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !contains(tail, b"%%EOF") {
        return Err(Refusal::Unreadable);
    }
    let structure = outside_streams(bytes);
    if PDF_ACTIVE.iter().any(|name| contains(&structure, name)) {
        return Err(Refusal::Polyglot);
    }
    // A `#` escape inside a name can spell any of the above in disguise.
    if has_escaped_name(&structure) {
        return Err(Refusal::Polyglot);
    }
    if MARKUP.iter().any(|m| contains_ignoring_case(&structure, m)) {
        return Err(Refusal::Polyglot);
    }
    Ok(())
}

/// Where a browser would look for a page in a photo: its first and its
/// last bytes (what is inside is pixels, re-encoded anyway, and can spell
/// anything by chance).
fn sniffable(bytes: &[u8]) -> [&[u8]; 2] {
    let head = &bytes[..bytes.len().min(4096)];
    let tail = &bytes[bytes.len().saturating_sub(4096)..];
    [head, tail]
}

/// A PDF name with a `#xx` escape, such as `/J#61vaScript`.
fn has_escaped_name(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'/' {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'#') {
                if bytes[j] == b'#'
                    && bytes.get(j + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(j + 2).is_some_and(u8::is_ascii_hexdigit)
                {
                    return true;
                }
                j += 1;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    false
}

/// The longest side of a photo's preview.
pub const PREVIEW_SIDE: u32 = 320;

/// Cleans one file, or says why not.
pub fn clean(bytes: &[u8], limits: &Limits) -> Result<Cleaned, Refusal> {
    let sniffed = sniff(bytes).ok_or(Refusal::Unsupported)?;
    if sniffed != Sniffed::Pdf
        && sniffable(bytes)
            .iter()
            .any(|part| MARKUP.iter().any(|m| contains_ignoring_case(part, m)))
    {
        return Err(Refusal::Polyglot);
    }
    let format = match sniffed {
        Sniffed::Pdf => {
            pdf_check(bytes)?;
            return Ok(Cleaned {
                kind: Kind::Pdf,
                bytes: bytes.to_vec(),
                width: None,
                height: None,
                thumb: None,
            });
        }
        Sniffed::Jpeg => {
            if !jpeg_is_whole(bytes) {
                return Err(Refusal::Unreadable);
            }
            ImageFormat::Jpeg
        }
        Sniffed::Png => ImageFormat::Png,
        Sniffed::Webp => ImageFormat::WebP,
    };
    let photo = decode(bytes, format, limits)?;
    // A screenshot stays lossless; a photo (or a WebP) becomes a JPEG.
    let kind = if format == ImageFormat::Png {
        Kind::Png
    } else {
        Kind::Jpeg
    };
    // Averaging boxes of pixels straight into the smaller photo: no
    // floating-point copy of the large one, so memory stays near the
    // decoded photo's own size.
    let scaled = if photo.width().max(photo.height()) > limits.max_side {
        photo.thumbnail(limits.max_side, limits.max_side)
    } else {
        photo
    };
    let bytes = encode(&scaled, kind)?;
    // The preview is never larger than the photo.
    let preview = if scaled.width().max(scaled.height()) > PREVIEW_SIDE {
        scaled.thumbnail(PREVIEW_SIDE, PREVIEW_SIDE)
    } else {
        scaled.clone()
    };
    let thumb = encode(&preview, Kind::Jpeg)?;
    Ok(Cleaned {
        kind,
        bytes,
        width: Some(scaled.width()),
        height: Some(scaled.height()),
        thumb: Some(thumb),
    })
}

fn decode(bytes: &[u8], format: ImageFormat, limits: &Limits) -> Result<DynamicImage, Refusal> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut bounds = image::Limits::default();
    bounds.max_alloc = Some(limits.max_alloc);
    reader.limits(bounds);
    let mut decoder = reader.into_decoder().map_err(|e| refusal_of(&e))?;
    let (w, h) = decoder.dimensions();
    if w == 0 || h == 0 {
        return Err(Refusal::Unreadable);
    }
    if u64::from(w) * u64::from(h) > limits.max_pixels {
        return Err(Refusal::TooManyPixels);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut photo = DynamicImage::from_decoder(decoder).map_err(|e| refusal_of(&e))?;
    photo.apply_orientation(orientation);
    Ok(photo)
}

fn refusal_of(e: &image::ImageError) -> Refusal {
    match e {
        image::ImageError::Limits(_) => Refusal::TooManyPixels,
        _ => Refusal::Unreadable,
    }
}

/// The photo on white: a JPEG has no transparency, and what was erased to
/// transparent must not come back as the colour under it.
fn flattened(photo: &DynamicImage) -> image::RgbImage {
    if !photo.color().has_alpha() {
        return photo.to_rgb8();
    }
    let rgba = photo.to_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

fn encode(photo: &DynamicImage, kind: Kind) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    let written = match kind {
        Kind::Png => {
            let pixels = if photo.color().has_alpha() {
                // What was erased to transparent stays erased: no colour
                // is kept under a pixel nobody can see.
                let mut rgba = photo.to_rgba8();
                for p in rgba.pixels_mut() {
                    if p[3] == 0 {
                        *p = image::Rgba([0, 0, 0, 0]);
                    }
                }
                DynamicImage::ImageRgba8(rgba)
            } else {
                DynamicImage::ImageRgb8(photo.to_rgb8())
            };
            PngEncoder::new(&mut out).write_image(
                pixels.as_bytes(),
                pixels.width(),
                pixels.height(),
                pixels.color().into(),
            )
        }
        _ => {
            let rgb = flattened(photo);
            JpegEncoder::new_with_quality(&mut out, 85).write_image(
                rgb.as_raw(),
                rgb.width(),
                rgb.height(),
                image::ExtendedColorType::Rgb8,
            )
        }
    };
    written.map_err(|_| Refusal::Unreadable)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        encode(&img, Kind::Jpeg).unwrap()
    }

    #[test]
    fn the_type_is_decided_by_the_bytes() {
        assert_eq!(sniff(&jpeg(4, 4)), Some(Sniffed::Jpeg));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Sniffed::Pdf));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Sniffed::Webp));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(b"<html><body>hi"), None);
        assert_eq!(
            clean(b"GIF89a....", &Limits::default()),
            Err(Refusal::Unsupported)
        );
    }

    #[test]
    fn a_photo_is_scaled_to_the_longest_side_and_keeps_its_shape() {
        let limits = Limits {
            max_side: 100,
            ..Limits::default()
        };
        let cleaned = clean(&jpeg(400, 200), &limits).unwrap();
        assert_eq!((cleaned.width, cleaned.height), (Some(100), Some(50)));
        assert_eq!(cleaned.kind, Kind::Jpeg);
        let small = clean(&jpeg(100, 40), &limits).unwrap();
        assert_eq!((small.width, small.height), (Some(100), Some(40)));
        let thumb = image::load_from_memory(&cleaned.thumb.unwrap()).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (100, 50));
        let big = clean(&jpeg(1000, 500), &Limits::default()).unwrap();
        let thumb = image::load_from_memory(&big.thumb.unwrap()).unwrap();
        assert_eq!(
            (thumb.width(), thumb.height()),
            (PREVIEW_SIDE, PREVIEW_SIDE / 2)
        );
    }

    #[test]
    fn a_truncated_jpeg_is_unreadable() {
        let whole = jpeg(64, 64);
        assert!(jpeg_is_whole(&whole));
        assert!(clean(&whole, &Limits::default()).is_ok());
        let cut = &whole[..whole.len() - 40];
        assert!(!jpeg_is_whole(cut));
        assert_eq!(clean(cut, &Limits::default()), Err(Refusal::Unreadable));
        assert!(!jpeg_is_whole(&whole[..20]));
    }

    #[test]
    fn too_many_pixels_are_refused_before_decoding() {
        let limits = Limits {
            max_pixels: 64 * 64 - 1,
            ..Limits::default()
        };
        assert_eq!(clean(&jpeg(64, 64), &limits), Err(Refusal::TooManyPixels));
        let exact = Limits {
            max_pixels: 64 * 64,
            ..Limits::default()
        };
        assert!(clean(&jpeg(64, 64), &exact).is_ok());
    }

    #[test]
    fn pdfs_must_be_whole_and_inert() {
        let plain =
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        let cleaned = clean(plain, &Limits::default()).unwrap();
        assert_eq!(cleaned.kind, Kind::Pdf);
        assert_eq!(cleaned.bytes, plain.to_vec());
        assert_eq!(cleaned.thumb, None);
        assert_eq!(
            clean(&plain[..plain.len() - 7], &Limits::default()),
            Err(Refusal::Unreadable)
        );
        for active in [
            "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
            "/AA << /O << /S /Launch /F (cmd.exe) >> >>",
            "/Names << /EmbeddedFiles 2 0 R >>",
            "/S /J#61vaScript",
        ] {
            let pdf = format!("%PDF-1.4\n1 0 obj << {active} >> endobj\n%%EOF\n");
            assert_eq!(
                clean(pdf.as_bytes(), &Limits::default()),
                Err(Refusal::Polyglot),
                "{active}"
            );
        }
    }

    #[test]
    fn stream_data_is_not_read_as_names_or_markup() {
        // Compressed data may spell `/JS`, `#41` or `<svg` by chance.
        let pdf = b"%PDF-1.5\n1 0 obj << /Length 40 /Filter /FlateDecode >>\nstream\nx\x9c/JS/J#61vaScript<svg<script\x00\xff\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        assert_eq!(
            clean(pdf, &Limits::default()).map(|c| c.kind),
            Ok(Kind::Pdf)
        );
        assert!(!contains(&outside_streams(pdf), b"/JS"));
        assert!(contains(&outside_streams(pdf), b"endstream"));
        // The same names in a dictionary are refused.
        let active = b"%PDF-1.5\n1 0 obj << /AA << /S /JS >> /Length 1 >>\nstream\nx\nendstream\nendobj\n%%EOF\n";
        assert_eq!(clean(active, &Limits::default()), Err(Refusal::Polyglot));
        // A photo's inner bytes are pixels: markup there is harmless.
        let mut photo = jpeg(1500, 1500);
        assert!(photo.len() > 3 * 4096, "{}", photo.len());
        let middle = photo.len() / 2;
        photo.splice(middle..middle, b"<svg".iter().copied());
        assert_ne!(clean(&photo, &Limits::default()), Err(Refusal::Polyglot));
    }

    #[test]
    fn what_was_erased_to_transparent_stays_erased() {
        // A secret in red under fully transparent pixels, next to a visible half.
        let img = DynamicImage::ImageRgba8(image::RgbaImage::from_fn(40, 20, |x, _| {
            if x < 20 {
                image::Rgba([255, 0, 0, 0])
            } else {
                image::Rgba([0, 0, 255, 255])
            }
        }));
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(img.as_bytes(), 40, 20, image::ExtendedColorType::Rgba8)
            .unwrap();
        let cleaned = clean(&png, &Limits::default()).unwrap();
        let out = image::load_from_memory(&cleaned.bytes).unwrap().to_rgba8();
        assert_eq!(out.get_pixel(5, 5).0, [0, 0, 0, 0]);
        assert_eq!(out.get_pixel(30, 5).0, [0, 0, 255, 255]);
        let thumb = image::load_from_memory(&cleaned.thumb.unwrap())
            .unwrap()
            .to_rgb8();
        let erased = thumb.get_pixel(5, 5).0;
        assert!(
            erased.iter().all(|c| *c > 230),
            "white, not red: {erased:?}"
        );
    }

    #[test]
    fn markup_anywhere_makes_a_polyglot() {
        let pdf = b"%PDF-1.4\n<!DOCTYPE html><script>alert(1)</script>\n%%EOF\n";
        assert_eq!(clean(pdf, &Limits::default()), Err(Refusal::Polyglot));
        let mut photo = jpeg(16, 16);
        photo.extend_from_slice(b"<HTML><body onload=x()>");
        assert_eq!(clean(&photo, &Limits::default()), Err(Refusal::Polyglot));
    }

    #[test]
    fn the_jpeg_walk_skips_fill_bytes_and_lone_markers_and_stops_at_an_early_end() {
        // Fill bytes before a marker, a lone restart marker, then the scan.
        let fill = [
            0xFF, 0xD8, 0xFF, 0xFF, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0xFF, 0xD9,
        ];
        assert!(jpeg_is_whole(&fill));
        let lone = [
            0xFF, 0xD8, 0xFF, 0xD0, 0xFF, 0x01, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0xFF, 0xD9,
        ];
        assert!(jpeg_is_whole(&lone));
        // An end of image before any scan: nothing to show.
        let early = [
            0xFF, 0xD8, 0xFF, 0xD9, 0x00, 0x02, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9,
        ];
        assert!(!jpeg_is_whole(&early));
        // A segment length too short to be one.
        assert!(!jpeg_is_whole(&[
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xD9
        ]));
        // A scan with no end.
        assert!(!jpeg_is_whole(&[
            0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22
        ]));
    }

    #[test]
    fn types_and_refusals_have_their_names() {
        assert_eq!(Kind::Jpeg.content_type(), "image/jpeg");
        assert_eq!(Kind::Png.content_type(), "image/png");
        assert_eq!(Kind::Pdf.content_type(), "application/pdf");
        assert_eq!(Kind::Jpeg.extension(), "jpg");
        assert_eq!(Kind::Pdf.extension(), "pdf");
        assert_eq!(Refusal::Unsupported.code(), "file_type_not_accepted");
        assert_eq!(Refusal::Polyglot.code(), "file_not_plain");
        assert_eq!(Refusal::Unreadable.code(), "file_unreadable");
        assert_eq!(Refusal::TooManyPixels.code(), "image_too_large");
    }

    #[test]
    fn kinds_round_trip_their_keys() {
        for kind in [Kind::Jpeg, Kind::Png, Kind::Pdf] {
            assert_eq!(Kind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(Kind::from_key("gif"), None);
        assert!(Kind::Jpeg.is_photo() && Kind::Png.is_photo() && !Kind::Pdf.is_photo());
    }
}
