import Foundation
import Testing
@testable import FlowSteps
import FlowEngine
import FlowTestSupport

/// Each fix on a copied context, from the real log of the failure it answers (no build here:
/// `AutofixBuildTests` builds for real), and the unified diff it records.
@Suite struct AutofixFixTests {
    /// A project folder, its autofix workspace with the copy made, and the state.
    struct Project {
        let dir: TemporaryDirectory
        let workspace: AutofixWorkspace
        var state: AutofixState

        init(_ files: [String: String]) throws {
            dir = try TemporaryDirectory()
            for (name, text) in files { _ = try dir.write("project/" + name, text) }
            workspace = AutofixWorkspace(stepDirectory: dir.url.path + "/state", workingDirectory: dir.url.path + "/project")
            let copied = try workspace.makeCopy(context: ".", dockerfile: "Dockerfile", limit: 1 << 20)
            state = AutofixState(context: ".", dockerfile: "Dockerfile", copiedDockerfile: copied, fingerprint: "test")
        }

        /// Plans the fix the fixture's signature names and applies it; returns the diff.
        mutating func fix(from fixture: String) throws -> String {
            let catalogue = SignatureCatalogue.shipped.catalogue
            let log = try AutofixClassificationTests.log(fixture)
            let found = try #require(catalogue.classify(log.lines))
            let fix = try #require(found.signature.fix)
            let fixer = AutofixFixer(workspace: workspace, state: state, catalogue: catalogue)
            let planned = try fixer.plan(fix, for: found, log: log).get()
            return try workspace.apply(planned.edits, state: &state)
        }

        func copy(_ name: String) throws -> String {
            String(decoding: try workspace.read("context/" + name), as: UTF8.self)
        }

        func user(_ name: String) throws -> String { try String(contentsOf: dir.file("project/" + name), encoding: .utf8) }
    }

    static let base = "localhost/flow/python:3.11-bookworm"

    @Test func aTorchvisionPinForAnotherTorchIsRepinnedNeverRemoved() throws {
        var p = try Project([
            "Dockerfile": "FROM \(Self.base)\nCOPY wheels /wheels\nCOPY requirements.txt /tmp/requirements.txt\nRUN pip install --no-index --find-links /wheels -r /tmp/requirements.txt\n",
            "requirements.txt": "torch==2.4.1\ntorchvision==0.20.1\n",
        ])
        defer { p.dir.remove() }
        let diff = try p.fix(from: "torch-conflict")
        #expect(try p.copy("requirements.txt") == "torch==2.4.1\ntorchvision==0.19.1\n")
        #expect(try p.user("requirements.txt") == "torch==2.4.1\ntorchvision==0.20.1\n")
        #expect(diff.contains("-torchvision==0.20.1\n+torchvision==0.19.1\n"))
    }

    @Test func aCudaPinGetsItsIndexInTheRequirements() throws {
        var p = try Project([
            "Dockerfile": "FROM \(Self.base)\nCOPY requirements.txt /tmp/requirements.txt\nRUN pip install -r /tmp/requirements.txt\n",
            "requirements.txt": "torch==2.4.1+cu121\n",
        ])
        defer { p.dir.remove() }
        _ = try p.fix(from: "cuda-index")
        #expect(try p.copy("requirements.txt") == "--extra-index-url https://download.pytorch.org/whl/cu121\ntorch==2.4.1+cu121\n")
    }

    @Test func aptGetInstallGetsUpdateInTheFailingRun() throws {
        var p = try Project([
            "Dockerfile": "FROM \(Self.base)\nRUN apt-get update && apt-get install -y curl\nRUN apt-get install -y --no-install-recommends libgomp1\n",
        ])
        defer { p.dir.remove() }
        _ = try p.fix(from: "apt-no-update")
        #expect(try p.copy("Dockerfile") == "FROM \(Self.base)\nRUN apt-get update && apt-get install -y curl\nRUN apt-get update && apt-get install -y --no-install-recommends libgomp1\n")
    }

    @Test func pep668SetsBreakSystemPackagesBeforeTheFailingRun() throws {
        var p = try Project([
            "Dockerfile": "FROM \(Self.base)\nCOPY wheels /wheels\nRUN /usr/bin/python3 -m pip install --no-index --find-links /wheels alpha\n",
        ])
        defer { p.dir.remove() }
        _ = try p.fix(from: "pep668")
        #expect(try p.copy("Dockerfile") == "FROM \(Self.base)\nCOPY wheels /wheels\nENV PIP_BREAK_SYSTEM_PACKAGES=1\nRUN /usr/bin/python3 -m pip install --no-index --find-links /wheels alpha\n")
    }

    @Test func aMissingLibraryIsInstalledBeforeTheRunThatLoadsIt() throws {
        var p = try Project([
            "Dockerfile": "FROM \(Self.base)\nCOPY wheels /wheels\nRUN pip install --no-index --find-links /wheels glpkg\nRUN python -c \"import glpkg\"\n",
        ])
        defer { p.dir.remove() }
        _ = try p.fix(from: "missing-library")
        #expect(try p.copy("Dockerfile").contains("glpkg\nRUN apt-get update && apt-get install -y --no-install-recommends libgomp1 && rm -rf /var/lib/apt/lists/*\nRUN python -c \"import glpkg\"\n"))
    }

    /// The recorded diff is one `patch -p1` and `git apply` accept in the user's folder, and it
    /// turns the user's files into the copy.
    @Test func theCumulativePatchAppliesToTheUsersFiles() throws {
        var p = try Project([
            "Dockerfile": "FROM \(Self.base)\nCOPY requirements.txt /tmp/requirements.txt\nRUN pip install -r /tmp/requirements.txt\nRUN apt-get install -y --no-install-recommends libgomp1\n",
            "requirements.txt": "torch==2.4.1\ntorchvision==0.20.1\n",
        ])
        defer { p.dir.remove() }
        _ = try p.fix(from: "torch-conflict")
        _ = try p.fix(from: "apt-no-update")
        let patch = try p.workspace.cumulativePatch(p.state)
        let patchFile = try p.dir.write("all.patch", patch)
        let project = p.dir.file("project")
        let git = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["git", "apply", "--check", patchFile.path], currentDirectory: project)
        #expect(git.status == 0, "\(git.stderr)\n\(patch)")
        let dry = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["patch", "-p1", "--dry-run", "-i", patchFile.path], currentDirectory: project)
        #expect(dry.status == 0, "\(dry.stdout)\(dry.stderr)")
        let applied = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["patch", "-p1", "-i", patchFile.path], currentDirectory: project)
        #expect(applied.status == 0)
        #expect(try p.user("Dockerfile") == p.copy("Dockerfile"))
        #expect(try p.user("requirements.txt") == p.copy("requirements.txt"))
    }

    @Test func writeBackChangesOnlyFilesTheUserHasNotTouched() throws {
        var p = try Project([
            "Dockerfile": "FROM \(Self.base)\nRUN apt-get install -y libgomp1\n",
        ])
        defer { p.dir.remove() }
        _ = try p.fix(from: "apt-no-update")
        let (written, skipped) = p.workspace.writeBack(p.state)
        #expect(written == ["Dockerfile"] && skipped.isEmpty)
        #expect(try p.user("Dockerfile") == "FROM \(Self.base)\nRUN apt-get update && apt-get install -y libgomp1\n")
        // Changed by the user meanwhile: left alone.
        _ = try p.dir.write("project/Dockerfile", "FROM scratch\n")
        #expect(p.workspace.writeBack(p.state).skipped.count == 1)
        #expect(try p.user("Dockerfile") == "FROM scratch\n")
    }

    @Test func theCopyLeavesOutGitAndIgnoredFilesAndIsBounded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p/Dockerfile", "FROM scratch\n")
        _ = try dir.write("p/.dockerignore", "data/\n")
        _ = try dir.write("p/.git/HEAD", "ref: refs/heads/main\n")
        _ = try dir.write("p/data/big.bin", String(repeating: "x", count: 10_000))
        _ = try dir.write("p/src/app.py", "print(1)\n")
        let workspace = AutofixWorkspace(stepDirectory: dir.url.path + "/s", workingDirectory: dir.url.path)
        #expect(try workspace.makeCopy(context: "p", dockerfile: "p/Dockerfile", limit: 1 << 20) == "context/Dockerfile")
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: workspace.contextCopy + "/src/app.py"))
        #expect(!fm.fileExists(atPath: workspace.contextCopy + "/.git"))
        #expect(!fm.fileExists(atPath: workspace.contextCopy + "/data/big.bin"))
        _ = try dir.write("p/src/big.bin", String(repeating: "y", count: 5000))
        #expect(throws: StepError.self) { try workspace.makeCopy(context: "p", dockerfile: "p/Dockerfile", limit: 4096) }
    }

    @Test func theDiffOfInsertionsDeletionsAndAMissingFinalNewline() throws {
        #expect(UnifiedDiff.diff(path: "f", old: "a\nb\n", new: "a\nb\n") == "")
        #expect(UnifiedDiff.diff(path: "f", old: "a\nb\nc\n", new: "a\nx\nc\n") == "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+x\n c\n")
        #expect(UnifiedDiff.diff(path: "f", old: "", new: "a\n") == "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a\n")
        #expect(UnifiedDiff.diff(path: "f", old: "a", new: "b") == "--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n")
        // Two changes far apart: two hunks.
        let old = (1...20).map { "l\($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "l2\n", with: "L2\n").replacingOccurrences(of: "l18\n", with: "L18\n")
        let diff = UnifiedDiff.diff(path: "f", old: old, new: new)
        #expect(diff.components(separatedBy: "@@ -").count == 3)
        #expect(diff.contains("@@ -1,5 +1,5 @@") && diff.contains("@@ -15,6 +15,6 @@"))
    }
}
