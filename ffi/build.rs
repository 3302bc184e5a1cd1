//! Sets the shared library's soname (cargo sets none) and writes, next to the
//! libraries in the profile directory (`target/release/`), a pkg-config file
//! for the build tree and the `libsendlint.so.N` link the soname names, so a C
//! program links and runs against the build without installing it.

use std::path::{Path, PathBuf};

/// The ABI version: the soname's number. Keep it equal to
/// `SENDLINT_ABI_VERSION` in src/lib.rs (the C test step compares the built
/// library's soname with the header's constant).
const ABI_VERSION: u32 = 0;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let soname = format!("libsendlint.so.{ABI_VERSION}");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let elf = !matches!(os.as_str(), "macos" | "ios" | "windows");
    // cargo-c (`cargo cbuild`) adds its own -soname; with
    // `version_suffix_components = 1` (Cargo.toml) it is this same name, so the
    // two agree whichever the linker takes.
    if elf {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{soname}");
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // OUT_DIR is <profile dir>/build/sendlint-ffi-<hash>/out.
    let Some(profile_dir) = out_dir.ancestors().nth(3) else {
        return;
    };
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let pc = pkg_config(profile_dir, &manifest_dir.join("include"));
    if let Err(err) = std::fs::write(profile_dir.join("sendlint.pc"), pc) {
        println!("cargo:warning=cannot write sendlint.pc: {err}");
    }
    #[cfg(unix)]
    if elf {
        let link = profile_dir.join(&soname);
        let _ = std::fs::remove_file(&link);
        if let Err(err) = std::os::unix::fs::symlink("libsendlint.so", &link) {
            println!("cargo:warning=cannot link {}: {err}", link.display());
        }
    }
}

/// A pkg-config file for the uninstalled build: the libraries where cargo put
/// them (with an rpath, so programs run without LD_LIBRARY_PATH) and the
/// checked-in header. `cargo cinstall` writes the installed one.
fn pkg_config(libdir: &Path, includedir: &Path) -> String {
    format!(
        "libdir={}\nincludedir={}\n\nName: sendlint\n\
         Description: Pre-send rules engine for chat marketing (C ABI)\n\
         Version: {}\n\
         Libs: -L${{libdir}} -Wl,-rpath,${{libdir}} -lsendlint\n\
         Libs.private: -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc\n\
         Cflags: -I${{includedir}}\n",
        libdir.display(),
        includedir.display(),
        std::env::var("CARGO_PKG_VERSION").expect("set by cargo"),
    )
}
