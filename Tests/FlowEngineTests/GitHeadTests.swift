import Foundation
import Testing
import FlowEngine
import FlowTestSupport

/// `GitHead` reads what `git rev-parse HEAD --abbrev-ref HEAD` says from the repository's files;
/// each case is checked against the real git on a real repository.
@Suite struct GitHeadTests {
    private let environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/nonexistent",
                               "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"]

    @discardableResult
    private func git(_ arguments: [String], in directory: URL) throws -> ProcessResult {
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/git"), arguments, environment: environment, currentDirectory: directory)
        return result
    }

    /// What git itself says, as GitHead would report it.
    private func gitSays(in directory: URL) throws -> GitHead.Checkout {
        let result = try git(["rev-parse", "HEAD", "--abbrev-ref", "HEAD"], in: directory)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        guard result.status == 0, lines.count == 2 else { return GitHead.Checkout(sha: nil, branch: nil) }
        return GitHead.Checkout(sha: lines[0], branch: lines[1])
    }

    private func repository(_ temp: TemporaryDirectory) throws -> URL {
        let repo = temp.file("repo")
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("sub/deeper"), withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"], in: repo)
        _ = try temp.write("repo/file", "one\n")
        try git(["add", "file"], in: repo)
        try git(["commit", "-q", "-m", "one"], in: repo)
        return repo
    }

    private func expectSame(in directory: URL, _ comment: Comment) throws {
        let read = GitHead.read(from: directory.path, environment: environment)
        #expect(read != nil, comment)
        #expect(read == (try gitSays(in: directory)), comment)
    }

    @Test func aBranchALooseAndAPackedRefAndADetachedHeadReadAsGitSaysThem() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let repo = try repository(temp)
        try expectSame(in: repo, "loose ref")
        try expectSame(in: repo.appendingPathComponent("sub/deeper"), "from a folder inside")
        try git(["pack-refs", "--all"], in: repo)
        try expectSame(in: repo, "packed ref")
        try git(["checkout", "-q", "--detach"], in: repo)
        try expectSame(in: repo, "detached")
        #expect(GitHead.read(from: repo.path, environment: environment)?.branch == "HEAD")
    }

    @Test func aWorktreeAnUnbornBranchAndNoRepositoryReadAsGitSaysThem() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let repo = try repository(temp)
        try git(["worktree", "add", "-q", "-b", "side", temp.file("tree").path], in: repo)
        try expectSame(in: temp.file("tree"), "worktree")
        #expect(GitHead.read(from: temp.file("tree").path, environment: environment)?.branch == "side")

        let empty = temp.file("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try git(["init", "-q", "-b", "main"], in: empty)
        try expectSame(in: empty, "unborn")
        #expect(GitHead.read(from: empty.path, environment: environment) == GitHead.Checkout(sha: nil, branch: nil))
    }

    @Test func whereOnlyGitCanSayItIsAsked() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let repo = try repository(temp)
        try git(["tag", "main"], in: repo)
        #expect(GitHead.read(from: repo.path, environment: environment) == nil, "a branch that is also a tag: git says heads/main")
        #expect(try gitSays(in: repo).branch == "heads/main")
        try git(["tag", "-d", "main"], in: repo)
        #expect(GitHead.read(from: repo.path, environment: environment) != nil)
        var withGitDir = environment
        withGitDir["GIT_DIR"] = repo.appendingPathComponent(".git").path
        #expect(GitHead.read(from: temp.url.path, environment: withGitDir) == nil, "GIT_DIR changes where git looks")
        try "ref: refs/heads/main\n".write(to: repo.appendingPathComponent(".git/refs/heads/odd"), atomically: true, encoding: .utf8)
        try git(["symbolic-ref", "HEAD", "refs/heads/odd"], in: repo)
        #expect(GitHead.read(from: repo.path, environment: environment) == nil, "a symbolic ref below HEAD")
    }
}

extension GitHeadTests {
    @Test func outsideAnyRepositoryBothAreNil() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        // The temp folder may itself sit inside a repository on some machines; git is the judge.
        #expect(GitHead.read(from: temp.url.path, environment: environment) == (try gitSays(in: temp.url)))
    }
}
