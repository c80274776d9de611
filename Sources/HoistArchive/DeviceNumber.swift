#if canImport(Glibc)
    public import Glibc
#endif

/// A device's number as Linux packs it in a `dev_t`, and its major and minor parts as tar
/// headers carry them (glibc's `makedev`, `major` and `minor`, which Swift does not import).
public enum DeviceNumber {
    public static func make(major: UInt32, minor: UInt32) -> dev_t {
        let major = UInt64(major)
        let minor = UInt64(minor)
        return dev_t(((major & 0xffff_f000) << 32) | ((major & 0xfff) << 8) | ((minor & 0xffff_ff00) << 12) | (minor & 0xff))
    }

    public static func split(_ device: dev_t) -> (major: UInt32, minor: UInt32) {
        let device = UInt64(device)
        return (UInt32(((device >> 32) & 0xffff_f000) | ((device >> 8) & 0xfff)), UInt32(((device >> 12) & 0xffff_ff00) | (device & 0xff)))
    }
}
