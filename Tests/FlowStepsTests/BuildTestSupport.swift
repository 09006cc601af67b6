import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSystem
import FlowTestSupport
@testable import FlowSteps

/// What the `build` tests share: the local base image, a unique image name per test, the
/// `build` type run through the real engine with a run's image map and git sha, and buildah.
enum BuildTesting {
    static var baseImage: String { BaseImage.configured }

    /// Fails the test, saying what to do, when the base image is not in buildah's storage.
    static func requireBaseImage() throws { try BaseImage.name() }

    /// `localhost/flow-test/<uuid>:t`.
    static func uniqueImage() -> String { "localhost/flow-test/\(UUID().uuidString.lowercased()):t" }

    /// The commit the tests' runs build (for the revision label).
    static let gitSHA = "0123456789abcdef0123456789abcdef01234567"

    /// The step's outputs as recorded.
    static func outputs(_ outcome: EngineHarness.Outcome, _ step: String) throws -> [String: String] {
        try #require(outcome.steps[step]?.outputs)
    }

    /// The error recorded with the step's last attempt.
    static func error(_ h: EngineHarness, _ outcome: EngineHarness.Outcome, _ step: String) -> String {
        ((try? h.database.attempts(of: outcome.runID)) ?? []).last { $0.stepId == step }?.error ?? ""
    }

    /// Attempt `n`'s log of `step`.
    static func log(_ h: EngineHarness, _ outcome: EngineHarness.Outcome, _ step: String, attempt: Int = 1) -> String {
        (try? String(contentsOfFile: h.statePath + "/" + outcome.runID + "/" + step + "/attempt-\(attempt).log", encoding: .utf8)) ?? ""
    }

    /// `buildah` with arguments, run to its end.
    @discardableResult
    static func buildah(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah"] + arguments)
    }

    /// The image's config and history as `buildah inspect` gives them; nil when it does not exist.
    static func inspect(_ image: String) throws -> [String: Any]? {
        let r = try buildah(["inspect", "--type", "image", image])
        guard r.status == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: r.output) as? [String: Any]
    }

    static func config(_ inspection: [String: Any]) -> [String: Any] {
        ((inspection["OCIv1"] as? [String: Any])?["config"] as? [String: Any]) ?? [:]
    }

    /// A file of the image, read through `buildah mount` (not through a process in the image,
    /// whose output buildah relays); nil when the image or the file is missing.
    static func file(_ path: String, in image: String) throws -> String? {
        let from = try buildah(["from", "--pull=never", image])
        guard from.status == 0 else { return nil }
        let container = String(decoding: from.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? buildah(["rm", container]) }
        let mount = try buildah(["mount", container])
        guard mount.status == 0 else { return nil }
        let root = String(decoding: mount.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? buildah(["umount", container]) }
        return try? String(contentsOfFile: root + path, encoding: .utf8)
    }

    /// Every image name in buildah's storage.
    static func imageNames() throws -> [String] {
        let r = try buildah(["images", "--json"])
        let images = (try? JSONSerialization.jsonObject(with: r.output) as? [[String: Any]]) ?? []
        return images.flatMap { ($0["names"] as? [String]) ?? [] }
    }

    /// Removes the images (by name; an image left without names goes with its last one).
    static func remove(_ names: [String]) {
        for name in names { _ = try? buildah(["rmi", "--force", name]) }
    }

    /// Pids of live processes whose command line is exactly `arguments`.
    static func processes(_ arguments: [String]) -> [Int32] {
        let wanted = Array((arguments.joined(separator: "\u{0}") + "\u{0}").utf8)
        let pids = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { Int32($0) }
        return pids.filter { FileManager.default.contents(atPath: "/proc/\($0)/cmdline").map { Array($0) == wanted } ?? false }
    }

    /// Waits (polling, at most `seconds`) until `condition` holds; returns whether it did.
    static func poll(seconds: Int, _ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<(seconds * 20) {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    /// A build context folder in `dir` with `files` (path → text).
    static func context(_ dir: TemporaryDirectory, _ files: [String: String], folder: String = "ctx") throws {
        for (path, text) in files { _ = try dir.write(folder + "/" + path, text) }
    }
}
