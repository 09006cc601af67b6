import Foundation
import CFlowSystem

/// An attempt's private folder for its small working files (the script, the `$FLOW_OUTPUT`
/// file): made with `mkdtemp` (mode 0700), outside the state directory — an output file holds
/// unmasked values until flow has read and masked them — and removed after the attempt.
///
/// Where: `$TMPDIR` when set; else `/dev/shm` when it is a writable tmpfs; else `/tmp`. On
/// tmpfs, making and removing these files costs no disk inode: on ext4, inode allocation next
/// to recently deleted inodes was the largest single cost of a short step (bench/engine.py).
/// Plain system calls throughout: this is on every step's path.
public struct ScratchDirectory {
    let path: String

    /// Makes `<tmp>/flow-<run>-XXXXXX`: named after the run so that the folders of a `flow`
    /// killed mid-step can be found and removed when the run is taken over (``removeLeftovers(of:)``).
    init(run: String) throws {
        var template = Array((Self.base + "/flow-\(run)-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let made else {
            throw StepError("cannot make a scratch folder in \(Self.base): \(String(cString: strerror(errno)))", kind: .terminal)
        }
        path = String(cString: made)
    }

    /// Removes the scratch folders a dead `flow` left behind for `run` (its attempts never
    /// reached their own cleanup). Call only once the run is this process's.
    public static func removeLeftovers(of run: String) {
        let prefix = "flow-\(run)-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for name in names where name.hasPrefix(prefix) && name.count == prefix.count + 6 {
            try? FileManager.default.removeItem(atPath: base + "/" + name)
        }
    }

    /// Removes the folder: one `rmdir` when the step type cleaned up after itself (the built-in
    /// ones do), a recursive removal when it left files behind.
    func remove() {
        if rmdir(path) != 0, errno == ENOTEMPTY || errno == EEXIST {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// `$TMPDIR` (without a trailing `/`), else `/dev/shm` if it is a writable tmpfs, else `/tmp`.
    public static let base: String = {
        var tmp = ProcessInfo.processInfo.environment["TMPDIR"] ?? ""
        while tmp.count > 1 && tmp.hasSuffix("/") { tmp.removeLast() }
        if !tmp.isEmpty { return tmp }
        if flow_is_tmpfs("/dev/shm") == 1, access("/dev/shm", W_OK | X_OK) == 0 {
            return "/dev/shm"
        }
        return "/tmp"
    }()

    /// Writes `text` to a new file `path` (mode 0600), failing if it exists.
    public static func writeFile(_ path: String, _ text: String) throws {
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StepError("cannot create \(path): \(String(cString: strerror(errno)))", kind: .terminal) }
        defer { close(fd) }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw StepError("cannot write \(path): \(String(cString: strerror(errno)))", kind: .terminal)
            }
            bytes = bytes.dropFirst(n)
        }
    }
}
