import Foundation
import FlowEngine

/// The copy autofix edits, in `<step folder>/autofix/`: `context/` is a copy of the build context
/// (bounded; `.git` and what `.dockerignore` excludes are left out), `dockerfile/` holds the
/// Dockerfile when it lies outside the context, `original/` the user's version of every file a
/// fix edited, `state.json` the rounds. Paths inside are relative to the folder (`context/x`).
public struct AutofixWorkspace: Sendable {
    public let root: String
    /// The step's working directory (user paths are relative to it; patches name files from it).
    public let workingDirectory: String

    public init(stepDirectory: String, workingDirectory: String) {
        root = stepDirectory + "/autofix"
        self.workingDirectory = workingDirectory
    }

    public var statePath: String { root + "/state.json" }
    public var contextCopy: String { root + "/context" }
    public func absolute(_ relative: String) -> String { root + "/" + relative }

    /// A path as the user wrote it, made absolute against the working directory.
    public func userAbsolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        return URL(fileURLWithPath: joined).standardized.path
    }

    /// A user path as the patch names it: relative to the working directory when inside it.
    func patchName(_ absolute: String) -> String {
        let base = URL(fileURLWithPath: workingDirectory).standardized.path
        if absolute.hasPrefix(base + "/") { return String(absolute.dropFirst(base.count + 1)) }
        return String(absolute.drop { $0 == "/" })
    }

    /// The user's file a copied file stands for.
    func userFile(for relative: String, state: AutofixState) -> String {
        if relative.hasPrefix("context/") { return userAbsolute(state.context) + "/" + relative.dropFirst("context/".count) }
        return userAbsolute(state.dockerfile)
    }

    // MARK: The copy

    /// Makes the copy afresh (removing an older one) and returns the Dockerfile's place in it.
    func makeCopy(context: String, dockerfile: String, limit: Int) throws -> String {
        let fm = FileManager.default
        try? fm.removeItem(atPath: root)
        do {
            try fm.createDirectory(atPath: contextCopy, withIntermediateDirectories: true)
        } catch {
            throw StepError("autofix: cannot make its folder \(root): \(error)", kind: .terminal)
        }
        let source = userAbsolute(context)
        let dockerfilePath = userAbsolute(dockerfile)
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: source, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StepError("autofix-retry: the build context `\(context)` is not a folder; give `context` (or the wrapped step's `context`)", kind: .terminal)
        }
        guard UntrustedFile.exists(dockerfilePath, links: .follow) else {
            throw StepError("autofix-retry: the Dockerfile `\(dockerfile)` does not exist; give `dockerfile` (or the wrapped step's `dockerfile`)", kind: .terminal)
        }
        let ignore = (try? UntrustedFile.read(source + "/.dockerignore", limit: 1 << 20, links: .follow))
            .map { DockerIgnore(String(decoding: $0, as: UTF8.self)) }
        var copier = ContextCopier(source: source, destination: contextCopy, limit: limit, ignore: ignore, contextName: context,
                                   skipping: URL(fileURLWithPath: root).standardized.path)
        try copier.copy()
        if dockerfilePath.hasPrefix(source + "/") {
            let relative = "context/" + dockerfilePath.dropFirst(source.count + 1)
            // The Dockerfile is sent whatever .dockerignore says.
            if !fm.fileExists(atPath: absolute(relative)) { try copyFile(dockerfilePath, to: absolute(relative)) }
            return relative
        }
        try? fm.createDirectory(atPath: root + "/dockerfile", withIntermediateDirectories: true)
        let relative = "dockerfile/" + (dockerfilePath.split(separator: "/").last.map(String.init) ?? "Dockerfile")
        try copyFile(dockerfilePath, to: absolute(relative))
        return relative
    }

    private func copyFile(_ from: String, to: String) throws {
        do {
            let bytes = try UntrustedFile.read(from, limit: AnalysisFiles.maximumFileSize, links: .follow)
            try? FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try ReportFile.write(bytes: bytes, to: to)
        } catch {
            throw StepError("autofix: cannot copy \(from): \(error)", kind: .terminal)
        }
    }

    // MARK: Editing

    /// A copied file's text.
    func read(_ relative: String) throws -> [UInt8] {
        do {
            return try UntrustedFile.read(absolute(relative), limit: AnalysisFiles.maximumFileSize, links: .refuse)
        } catch {
            throw StepError("autofix: cannot read its copy of \(relative): \(error)", kind: .terminal)
        }
    }

    /// Applies `edits` (files relative to the folder) to the copy; keeps each file's original
    /// the first time it changes. Returns the per-file diff of this change, named as the user's files.
    func apply(_ edits: [TextEdit], state: inout AutofixState) throws -> String {
        var patch = ""
        for file in Set(edits.map(\.file)).sorted() {
            let before = try read(file)
            let after = TextEdit.apply(edits.filter { $0.file == file }, to: before)
            guard after != before else { continue }
            if state.originals[file] == nil {
                let original = absolute("original/" + file)
                try? FileManager.default.createDirectory(atPath: (original as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                do { try ReportFile.write(bytes: before, to: original, mode: 0o600) } catch {
                    throw StepError("autofix: cannot keep the original of \(file): \(error)", kind: .terminal)
                }
                state.originals[file] = SHA256.hex(before)
            }
            do { try ReportFile.write(bytes: after, to: absolute(file)) } catch {
                throw StepError("autofix: cannot write its copy of \(file): \(error)", kind: .terminal)
            }
            patch += UnifiedDiff.diff(path: patchName(userFile(for: file, state: state)),
                                      old: String(decoding: before, as: UTF8.self), new: String(decoding: after, as: UTF8.self))
        }
        return patch
    }

    /// Every fix so far as one diff of the user's files.
    func cumulativePatch(_ state: AutofixState) throws -> String {
        var patch = ""
        for file in state.originals.keys.sorted() {
            let original = (try? UntrustedFile.read(absolute("original/" + file), limit: AnalysisFiles.maximumFileSize, links: .refuse)) ?? []
            patch += UnifiedDiff.diff(path: patchName(userFile(for: file, state: state)),
                                      old: String(decoding: original, as: UTF8.self), new: String(decoding: try read(file), as: UTF8.self))
        }
        return patch
    }

    /// Writes the edited files over the user's, each only when the user's file is still the one
    /// that was copied. Returns the files written and the ones skipped (with why).
    func writeBack(_ state: AutofixState) -> (written: [String], skipped: [String]) {
        var written: [String] = [], skipped: [String] = []
        for file in state.originals.keys.sorted() {
            let user = userFile(for: file, state: state)
            let name = patchName(user)
            guard let current = try? UntrustedFile.read(user, limit: AnalysisFiles.maximumFileSize, links: .refuse),
                  SHA256.hex(current) == state.originals[file] else {
                skipped.append("\(name) (changed since it was copied, or not a regular file)")
                continue
            }
            var info = stat()
            let mode = stat(user, &info) == 0 ? info.st_mode & 0o7777 : 0o644
            do {
                try ReportFile.write(bytes: try read(file), to: user, mode: mode)
                chmod(user, mode)
                written.append(name)
            } catch {
                skipped.append("\(name) (\(error))")
            }
        }
        return (written, skipped)
    }
}
