import Foundation

/// flow's local base image (`script/base-image`, made by `script/setup`): Debian bookworm with
/// Python 3.11, pip and a venv at /opt/venv. Container tests build from it and run in it.
public enum BaseImage {
    /// Its name: `FLOW_BASE_IMAGE` or the default.
    public static var configured: String {
        ProcessInfo.processInfo.environment["FLOW_BASE_IMAGE"] ?? "localhost/flow/python:3.11-bookworm"
    }

    /// Its name, after checking that buildah has it: a test fails (never skips) without it.
    @discardableResult
    public static func name() throws -> String { try require(configured) }

    /// flow's CPU stand-in for NVIDIA's NGC PyTorch image (script/base-image makes it from the base).
    public static let ngcStandIn = "localhost/flow/ngc-pytorch:26.07-cpu"

    /// `name`, after checking that buildah has it: a test fails (never skips) without it.
    @discardableResult
    public static func require(_ name: String) throws -> String {
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah", "inspect", "--type", "image", "--format", "{{.FromImageID}}", name])
        guard result.status == 0 else {
            throw HarnessError("the base image \(name) is missing: run script/setup (script/base-image makes it once with debootstrap and buildah)")
        }
        return name
    }

    /// The names of buildah's working containers (to check that none was left behind).
    public static func containers() throws -> [String] {
        let result = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["buildah", "containers", "--noheading", "--format", "{{.ContainerName}}"])
        return result.stdout.split(separator: "\n").map(String.init)
    }
}
