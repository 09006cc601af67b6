import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The commit and branch checked out, read from the repository's files the way
/// `git rev-parse HEAD --abbrev-ref HEAD` reports them, without starting git (a process of its
/// own cost every `flow run` a few milliseconds).
///
/// It answers only where the files leave no doubt: a `.git` folder or `gitdir:` file found
/// walking up from the working directory, owned by this user, on the same file system; `HEAD`
/// a commit (detached, branch `HEAD`) or a `ref:` to `refs/heads/NAME` that is a loose file or
/// in `packed-refs`. Anything else — `GIT_DIR` and the other discovery variables set, a
/// reftable repository, a branch name that is also a tag or a remote, another user's repository
/// (git's `safe.directory`) — is `nil`: ask git. As git does, the walk up stops at a mount point.
public enum GitHead {
    public struct Checkout: Equatable, Sendable {
        public var sha: String?
        public var branch: String?
        public init(sha: String?, branch: String?) {
            self.sha = sha
            self.branch = branch
        }
    }

    /// Variables that change how git finds or reads the repository.
    static let discoveryVariables = ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_CEILING_DIRECTORIES",
                                     "GIT_DISCOVERY_ACROSS_FILESYSTEM", "GIT_NAMESPACE", "GIT_CONFIG_PARAMETERS"]

    /// What git would say from `directory` (both nil outside a repository or before its first
    /// commit), or nil when only git can say.
    public static func read(from directory: String, environment: [String: String]) -> Checkout? {
        guard !discoveryVariables.contains(where: { environment[$0] != nil }) else { return nil }
        var folder = URL(fileURLWithPath: directory).standardizedFileURL.path
        var start = stat()
        guard stat(folder, &start) == 0 else { return nil }
        while true {
            var info = stat()
            let dotGit = folder == "/" ? "/.git" : folder + "/.git"
            if lstat(dotGit, &info) == 0 {
                guard info.st_uid == geteuid() else { return nil }
                return repository(dotGit, isFile: info.st_mode & S_IFMT == S_IFREG)
            }
            guard folder != "/" else { return Checkout(sha: nil, branch: nil) }
            let parent = (folder as NSString).deletingLastPathComponent
            var parentInfo = stat()
            guard stat(parent, &parentInfo) == 0 else { return nil }
            // git stops at a mount point (without GIT_DISCOVERY_ACROSS_FILESYSTEM): no repository.
            guard parentInfo.st_dev == start.st_dev else { return Checkout(sha: nil, branch: nil) }
            folder = parent
        }
    }

    static func repository(_ dotGit: String, isFile: Bool) -> Checkout? {
        var gitDirectory = dotGit
        if isFile {
            guard let text = small(dotGit), text.hasPrefix("gitdir: ") else { return nil }
            let target = String(text.dropFirst("gitdir: ".count))
            gitDirectory = target.hasPrefix("/") ? target : (dotGit as NSString).deletingLastPathComponent + "/" + target
        }
        var common = gitDirectory
        if let relative = small(gitDirectory + "/commondir") {
            common = relative.hasPrefix("/") ? relative : gitDirectory + "/" + relative
        }
        guard !UntrustedFile.exists(common + "/reftable", links: .follow), let head = small(gitDirectory + "/HEAD") else { return nil }
        if isObjectName(head) { return Checkout(sha: head, branch: "HEAD") }
        guard head.hasPrefix("ref: refs/heads/") else { return nil }
        let reference = String(head.dropFirst("ref: ".count))
        let name = String(reference.dropFirst("refs/heads/".count))
        guard !name.isEmpty, name != ".invalid" else { return nil }
        let packed = packedReferences(common + "/packed-refs")
        // `--abbrev-ref` says `heads/NAME` when NAME is also another kind of ref: leave that to git.
        for other in ["refs/\(name)", "refs/tags/\(name)", "refs/remotes/\(name)", "refs/remotes/\(name)/HEAD"] {
            if UntrustedFile.exists(common + "/" + other, links: .refuse) || packed?[other] != nil { return nil }
        }
        if let loose = small(common + "/" + reference) {
            return isObjectName(loose) ? Checkout(sha: loose, branch: name) : nil
        }
        if UntrustedFile.exists(common + "/" + reference, links: .refuse) { return nil }
        guard let packed else { return nil }
        // Unborn (no commit yet): git rev-parse fails, and flow records neither.
        return Checkout(sha: packed[reference], branch: packed[reference] == nil ? nil : name)
    }

    /// A small file's text without its trailing newline; nil when it cannot be read.
    static func small(_ path: String) -> String? {
        guard let bytes = try? UntrustedFile.read(path, limit: 4096, links: .refuse) else { return nil }
        var text = String(decoding: bytes, as: UTF8.self)
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }

    /// `packed-refs` as name → object (peeled `^` lines skipped); an empty map when the file is
    /// absent, nil when it cannot be read.
    static func packedReferences(_ path: String) -> [String: String]? {
        guard UntrustedFile.exists(path, links: .refuse) else { return [:] }
        guard let bytes = try? UntrustedFile.read(path, limit: 64 << 20, links: .refuse) else { return nil }
        var references: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("^") {
            let fields = line.split(separator: " ", maxSplits: 1)
            guard fields.count == 2, isObjectName(String(fields[0])) else { return nil }
            references[String(fields[1])] = String(fields[0])
        }
        return references
    }

    /// 40 (SHA-1) or 64 (SHA-256) lower-case hex digits.
    static func isObjectName(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64) && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}
