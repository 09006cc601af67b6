import Foundation
import Testing
import FlowTestSupport

/// Images for the smoke-test tests, built with buildah from the local base image and a wheel
/// index the test makes; each has a unique name and is removed by the test that built it.
enum SmokeTestImages {
    static var base: String { BaseImage.configured }

    static let buildah = URL(fileURLWithPath: "/usr/bin/buildah")

    /// Fails (never skips) when the base image is not there.
    static func requireBase() throws { try BaseImage.name() }

    /// Builds `FROM base`, the wheels copied to /wheels and `install` installed from them
    /// offline, then `extra` Dockerfile lines; `files` go into the context.
    static func build(wheels: [WheelIndex.Wheel], install: [String], extra: String = "", files: [String: String] = [:],
                      buildArguments: [String] = []) async throws -> String {
        try requireBase()
        let context = try TemporaryDirectory()
        defer { context.remove() }
        if !wheels.isEmpty { try WheelIndex.make(wheels, in: context.file("wheels")) }
        for (name, text) in files { _ = try context.write(name, text) }
        var dockerfile = "FROM \(base)\n"
        if !wheels.isEmpty { dockerfile += "COPY wheels /wheels\n" }
        if !install.isEmpty {
            dockerfile += "RUN pip install --no-cache-dir --no-index --find-links /wheels " + install.joined(separator: " ") + "\n"
        }
        dockerfile += extra
        _ = try context.write("Dockerfile", dockerfile)
        let name = "localhost/flow-test/\(UUID().uuidString.lowercased()):t"
        let arguments = ["bud", "--isolation", "chroot"] + buildArguments + ["-t", name, context.url.path]
        let built = try await onOwnThread { try runProcess(buildah, arguments) }
        guard built.status == 0 else { throw HarnessError("buildah bud failed:\n\(built.stdout)\n\(built.stderr)") }
        return name
    }

    static func remove(_ image: String) {
        _ = try? runProcess(buildah, ["rmi", "--force", image])
    }

    /// `xmllint --noout --schema junit-10.xsd FILE`: the status and what xmllint said.
    static func validateJUnit(_ path: String) throws -> ProcessResult {
        let schema = Repository.root.appendingPathComponent("Tests/FlowStepsTests/Fixtures/SmokeTest/junit-10.xsd").path
        return try runProcess(URL(fileURLWithPath: "/usr/bin/xmllint"), ["--noout", "--schema", schema, path])
    }
}
