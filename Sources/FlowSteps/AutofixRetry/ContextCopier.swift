import Foundation
import FlowCore
import FlowEngine

/// Copies a build context for autofix: regular files (read as untrusted, at most `limit` bytes in
/// all) and symbolic links as links; `.git` and what `.dockerignore` excludes left out (the
/// builder would not send them); FIFOs, devices and sockets skipped; and a folder holding
/// `skipping` (flow's state folder when it lies inside the context, as `.flow/` does) left out,
/// so the copy never copies itself, the run's database or its logs.
struct ContextCopier {
    let source: String
    let destination: String
    let limit: Int
    let ignore: DockerIgnore?
    /// The context as the user named it, for messages.
    let contextName: String
    /// The workspace folder: no folder on its path is copied.
    let skipping: String
    private(set) var total = 0

    init(source: String, destination: String, limit: Int, ignore: DockerIgnore?, contextName: String, skipping: String) {
        self.skipping = skipping
        self.source = source
        self.destination = destination
        self.limit = limit
        self.ignore = ignore
        self.contextName = contextName
    }

    mutating func copy() throws {
        try copyDirectory("")
    }

    private mutating func copyDirectory(_ relative: String) throws {
        let fm = FileManager.default
        let here = relative.isEmpty ? source : source + "/" + relative
        guard let names = try? fm.contentsOfDirectory(atPath: here) else { return }
        for name in names.sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            if path == ".git" { continue }
            if name != ".dockerignore", let ignore, ignore.isExcluded(path) { continue }
            let from = source + "/" + path, to = destination + "/" + path
            var info = stat()
            guard lstat(from, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                if skipping == from || skipping.hasPrefix(from + "/") { continue }
                try? fm.createDirectory(atPath: to, withIntermediateDirectories: true)
                try copyDirectory(path)
            case S_IFLNK:
                if let target = try? fm.destinationOfSymbolicLink(atPath: from) {
                    try? fm.createSymbolicLink(atPath: to, withDestinationPath: target)
                }
            case S_IFREG:
                total += Int(info.st_size)
                guard total <= limit else { throw tooLarge() }
                let bytes: [UInt8]
                do {
                    bytes = try UntrustedFile.read(from, limit: limit, links: .refuse)
                } catch {
                    throw StepError("autofix: cannot copy \(from): \(error)", kind: .terminal)
                }
                do {
                    try ReportFile.write(bytes: bytes, to: to, mode: info.st_mode & 0o7777)
                    chmod(to, info.st_mode & 0o7777)
                } catch {
                    throw StepError("autofix: cannot copy \(from): \(error)", kind: .terminal)
                }
            default:
                continue
            }
        }
    }

    private func tooLarge() -> StepError {
        StepError("autofix-retry: the build context `\(contextName)` holds more than `context-limit` (\(ByteSize(bytes: limit))); raise `context-limit`, or exclude files in .dockerignore", kind: .terminal)
    }
}
