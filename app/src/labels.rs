//! The words of the complaint form, the receipt and the tracker, in
//! Indonesian and English, for the widget and the hosted pages alike.

use crate::api::{Locale, Status};

/// A piece of interface text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    FileTitle,
    FileIntro,
    Classification,
    Title,
    Description,
    Category,
    District,
    DistrictHelp,
    OtherRegions,
    Location,
    IncidentDate,
    Privacy,
    Contact,
    ContactHelp,
    Name,
    Email,
    Phone,
    Optional,
    Choose,
    Consent,
    Submit,
    FixErrors,
    ReceiptTitle,
    ReceiptHowTo,
    ReceiptRoutedTo,
    TrackTitle,
    TrackingCode,
    Track,
    Status,
    DueBy,
    History,
    ReplyTitle,
    ReplyHelp,
    SendReply,
    ConfirmHelp,
    ConfirmResolved,
    EraseContact,
    ByReporter,
    ByOfficer,
    BySystem,
    Submitted,
    OtherLanguage,
    TrackLink,
    FileLink,
    Sending,
    Offline,
    TryAgain,
    Copy,
    FileAnother,
    Loading,
    LoadFailed,
    Characters,
    Attachments,
    AttachmentsHelp,
}

impl Label {
    pub fn text(self, locale: Locale) -> &'static str {
        use Label::*;
        let (id, en) = match self {
            FileTitle => ("Sampaikan pengaduan", "File a complaint"),
            FileIntro => (
                "Laporan Anda diteruskan ke instansi yang berwenang. Anda akan mendapat kode pelacakan.",
                "Your report goes to the office responsible. You will get a tracking code.",
            ),
            Classification => ("Jenis laporan", "Kind of report"),
            Title => ("Judul", "Title"),
            Description => ("Uraian", "Description"),
            Category => ("Kategori", "Category"),
            District => ("Kecamatan tempat kejadian", "District where it happened"),
            DistrictHelp => (
                "Kecamatan menentukan pemerintah daerah yang menangani.",
                "The district decides which government handles it.",
            ),
            OtherRegions => ("Daerah lain di Bali", "Other regions in Bali"),
            Location => ("Lokasi (alamat, patokan)", "Location (address, landmark)"),
            IncidentDate => ("Tanggal kejadian", "Date it happened"),
            Privacy => ("Kerahasiaan", "Privacy"),
            Contact => ("Kontak Anda", "Your contact details"),
            ContactHelp => (
                "Tidak wajib. Dipakai untuk memberi kabar tentang pengaduan Anda.",
                "Optional. Used to tell you about your complaint.",
            ),
            Name => ("Nama", "Name"),
            Email => ("E-mail", "E-mail"),
            Phone => ("Nomor telepon", "Phone number"),
            Optional => ("tidak wajib", "optional"),
            Choose => ("Pilih…", "Choose…"),
            Consent => (
                "Saya setuju data dalam laporan ini diproses untuk menangani pengaduan saya.",
                "I agree that the data in this report is processed to handle my complaint.",
            ),
            Submit => ("Kirim pengaduan", "Send complaint"),
            Attachments => ("Foto atau dokumen", "Photos or documents"),
            AttachmentsHelp => (
                "Paling banyak 5 foto atau PDF. Lokasi dan data kamera dihapus dari foto.",
                "Up to 5 photos or PDFs. Location and camera data are removed from photos.",
            ),

            FixErrors => (
                "Beberapa isian perlu diperbaiki.",
                "Some fields need correcting.",
            ),
            ReceiptTitle => (
                "Pengaduan Anda sudah diterima",
                "Your complaint has been received",
            ),
            ReceiptHowTo => (
                "Simpan kode ini. Dengan kode ini Anda dapat melihat perkembangan pengaduan dan menjawab pertanyaan petugas.",
                "Keep this code. With it you can follow your complaint and answer the officers' questions.",
            ),
            ReceiptRoutedTo => ("Diteruskan ke", "Sent to"),
            TrackTitle => ("Lacak pengaduan", "Track a complaint"),
            TrackingCode => ("Kode pelacakan", "Tracking code"),
            Track => ("Lacak", "Track"),
            Status => ("Status", "Status"),
            DueBy => ("Batas waktu langkah ini", "This step is due by"),
            History => ("Riwayat", "History"),
            ReplyTitle => ("Tambahkan informasi", "Add information"),
            ReplyHelp => (
                "Jawab pertanyaan petugas atau tambahkan keterangan.",
                "Answer the officers' questions or add details.",
            ),
            SendReply => ("Kirim", "Send"),
            ConfirmHelp => (
                "Apakah tindak lanjut ini sudah menyelesaikan pengaduan Anda? Jika belum, tulis tanggapan di bawah dan pengaduan dibuka kembali.",
                "Did this follow-up resolve your complaint? If not, write a reply below and it is reopened.",
            ),
            ConfirmResolved => ("Ya, sudah selesai", "Yes, it is resolved"),
            EraseContact => (
                "Hapus nama, e-mail, dan nomor telepon saya (pengaduan tetap ditangani)",
                "Erase my name, e-mail and phone (the complaint is still handled)",
            ),
            ByReporter => ("Pelapor", "Reporter"),
            ByOfficer => ("Petugas", "Officer"),
            BySystem => ("Sistem", "System"),
            Submitted => ("Pengaduan diterima", "Complaint received"),
            OtherLanguage => ("English", "Bahasa Indonesia"),
            TrackLink => ("Lacak pengaduan", "Track a complaint"),
            FileLink => ("Sampaikan pengaduan baru", "File a new complaint"),
            Sending => ("Mengirim…", "Sending…"),
            Offline => (
                "Koneksi terputus. Pengaduan Anda tersimpan dan akan dikirim otomatis saat koneksi kembali.",
                "You are offline. Your complaint is kept and will be sent as soon as the connection returns.",
            ),
            TryAgain => ("Coba kirim lagi", "Try again"),
            Copy => ("Salin kode", "Copy code"),
            FileAnother => ("Sampaikan pengaduan lain", "File another complaint"),
            Loading => ("Memuat…", "Loading…"),
            LoadFailed => (
                "Formulir tidak dapat dimuat. Periksa koneksi Anda lalu coba lagi.",
                "The form could not load. Check your connection and try again.",
            ),
            Characters => ("karakter", "characters"),
        };
        match locale {
            Locale::Id => id,
            Locale::En => en,
        }
    }
}

/// The status as a citizen reads it.
pub fn status(status: Status, locale: Locale) -> &'static str {
    let (id, en) = match status {
        Status::Submitted => ("Menunggu verifikasi", "Waiting for verification"),
        Status::NeedsInfo => (
            "Menunggu kelengkapan dari Anda",
            "Waiting for more information from you",
        ),
        Status::Verified => ("Terverifikasi dan didisposisikan", "Verified and assigned"),
        Status::InProgress => ("Sedang ditindaklanjuti", "Being acted on"),
        Status::Resolved => ("Selesai ditindaklanjuti", "Resolved"),
        Status::Closed => ("Selesai", "Closed"),
        Status::Rejected => ("Ditolak", "Rejected"),
        Status::TransferredOut => ("Dialihkan", "Transferred"),
    };
    match locale {
        Locale::Id => id,
        Locale::En => en,
    }
}
