import Testing
@testable import FlowSteps

@Suite struct PythonRulesTests {
    static func command(_ text: String, _ command: String) -> PipInstallCommand? {
        PipInstallCommand.parse(PythonTestSupport.words(command, in: text))
    }

    @Test func descriptorsListEveryRuleWithItsSeverity() {
        let severities = Dictionary(uniqueKeysWithValues: PythonRules.descriptors.map { ($0.id, $0.severity) })
        #expect(severities == ["pin-conflict": .error, "unpinned": .warning, "DL3013": .warning, "DL3042": .warning,
                               "requirements-syntax": .error, "requirements-include": .error])
        #expect(PythonRules.descriptors.first { $0.id == "DL3013" }?.helpURI == "https://github.com/hadolint/hadolint/wiki/DL3013")
    }

    // MARK: pin-conflict

    @Test func pinConflictFiresAtTheLaterPinAndNamesTheEarlier() throws {
        let requirements = RequirementsFile.parse("numpy<2\ntorch>=2.4,<2.5\n", file: "requirements.txt")
        let dockerfile = "FROM python:3.11\nCOPY requirements.txt .\nRUN pip install -r requirements.txt && pip install torch==2.5.0\n"
        let install = try #require(Self.command(dockerfile, "pip install torch==2.5.0"))
        let sites = requirements.entries.compactMap { $0.requirement.map { PinSite($0, origin: .requirementsFile) } } + PinSite.sites(from: install)
        let findings = PythonRules.pinConflicts(sites)
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.rule == "pin-conflict" && finding.severity == .error)
        #expect(finding.span.file == "Dockerfile" && finding.span.line == 3 && finding.span.column == 52)
        #expect(finding.message.contains("requirements.txt:2"))
        #expect(finding.message.contains("`==2.5.0` against `<2.5`"))
    }

    @Test func pinConflictIsSilentWhenSomeVersionSatisfiesBoth() throws {
        let set = RequirementsSet.load(roots: ["requirements.txt"], read: {
            ["requirements.txt": "-c constraints.txt\ntorch==2.4.1+cu121\nnumpy\n", "constraints.txt": "torch>=2.4,<2.5\nnumpy==1.26.4\n"][$0]
        })
        #expect(PythonRules.pinConflicts(PinSite.sites(from: set)).isEmpty)
    }

    @Test func pinConflictComparesConstraintsWithRequirements() throws {
        let set = RequirementsSet.load(roots: ["requirements.txt"], read: {
            ["requirements.txt": "-c constraints.txt\nnumpy>=2\n", "constraints.txt": "NumPy==1.26.4\n"][$0]
        })
        let finding = try #require(PythonRules.pinConflicts(PinSite.sites(from: set)).first)
        #expect(finding.span.file == "requirements.txt" && finding.span.line == 2 && finding.span.column == 1)
        #expect(finding.message.contains("constraints.txt:1") && finding.message.contains("constraints file"))
    }

    @Test func pinConflictSkipsRequirementsWhoseMarkerIsFalse() {
        let file = RequirementsFile.parse("torch==2.4.1 ; sys_platform == 'darwin'\ntorch==2.5.1 ; sys_platform == 'linux'\n", file: "r.txt")
        let sites = file.entries.compactMap { $0.requirement.map { PinSite($0, origin: .requirementsFile) } }
        #expect(PythonRules.pinConflicts(sites, environment: ["sys_platform": "linux"]).isEmpty)
        #expect(PythonRules.pinConflicts(sites).count == 1)
    }

    @Test func aRequirementThatExcludesItselfIsAPinConflict() throws {
        let file = RequirementsFile.parse("\ntorch>=2.5,<2.4\n", file: "r.txt")
        let finding = try #require(PythonRules.pinConflicts(file.entries.compactMap { $0.requirement.map { PinSite($0, origin: .requirementsFile) } }).first)
        #expect(finding.span.line == 2 && finding.span.column == 1)
        #expect(finding.message.contains("`>=2.5` and `<2.4`"))
    }

    // MARK: unpinned

    @Test func unpinnedFiresForANameWithoutVersion() throws {
        let file = RequirementsFile.parse("torch==2.4.1\n  datasets[streaming]  # latest\n", file: "requirements.txt")
        let finding = try #require(PythonRules.unpinned(file).first)
        #expect(PythonRules.unpinned(file).count == 1)
        #expect(finding.rule == "unpinned" && finding.severity == .warning)
        #expect(finding.span.line == 2 && finding.span.column == 3)
        #expect(finding.message.contains("datasets"))
    }

    @Test func unpinnedIsSilentForPinsURLsPathsEditablesVCSAndConstraints() throws {
        let text = try PythonTestSupport.fixture("requirements-torch.txt").replacingOccurrences(of: "datasets\n", with: "datasets~=2.21\n")
        let file = RequirementsFile.parse(text, file: "requirements-torch.txt")
        #expect(PythonRules.unpinned(file).isEmpty)
        let set = RequirementsSet.load(roots: ["r.txt"], read: { ["r.txt": "-c c.txt\nx==1\n", "c.txt": "numpy\n"][$0] })
        #expect(PythonRules.unpinned(set).isEmpty)
        #expect(PythonRules.check(set).isEmpty)
    }

    @Test func unpinnedIsSilentForANameAConstraintsFileOfTheSameInstallPins() {
        let files = ["train.txt": "-r base.txt\ntransformers\n-c constraints.txt\n", "base.txt": "numpy\nDatasets\n",
                     "constraints.txt": "transformers==4.46.3\ndatasets<4\nnumpy\n"]
        let set = RequirementsSet.load(roots: ["train.txt"], read: { files[$0] })
        // numpy's constraint has no version, so numpy stays unpinned; the -c line applies to lines before it too.
        #expect(PythonRules.unpinned(set).map { "\($0.span.file):\($0.span.line)" } == ["base.txt:1"])
        let alone = RequirementsSet.load(roots: ["base.txt"], read: { files[$0] })
        #expect(PythonRules.unpinned(alone).count == 2)
    }

    // MARK: DL3013

    @Test func dl3013FiresForAnUnpinnedPipInstallPackage() throws {
        let text = "FROM python:3.11\nRUN pip install --no-cache-dir torch==2.4.1 numpy\n"
        let command = try #require(Self.command(text, "pip install --no-cache-dir torch==2.4.1 numpy"))
        let findings = PythonRules.unpinnedInstalls(command)
        #expect(findings.map(\.rule) == ["DL3013"])
        #expect(findings.first?.severity == .warning)
        #expect(findings.first.map { "\($0.span.line):\($0.span.column)" } == "2:45")
        #expect(findings.first?.message.contains("`pip install numpy==<version>`") == true)
    }

    @Test func dl3013IsSilentForPinnedPathsRequirementFilesConstraintsAndVariables() throws {
        let text = "RUN pip install --no-cache-dir torch==2.4.1 -r requirements.txt ./pkg -e . git+https://x/y.git#egg=y torchvision==$V\n"
        let command = try #require(Self.command(text, String(text.dropFirst(4).dropLast())))
        #expect(PythonRules.unpinnedInstalls(command).isEmpty)
        let constrained = try #require(Self.command("RUN pip install -c c.txt numpy", "pip install -c c.txt numpy"))
        #expect(PythonRules.unpinnedInstalls(constrained).isEmpty)
        let local = try #require(Self.command("RUN pip install . numpy", "pip install . numpy"))
        #expect(PythonRules.unpinnedInstalls(local).isEmpty)
        let upgrade = try #require(Self.command("RUN pip install --upgrade pip", "pip install --upgrade pip"))
        #expect(PythonRules.unpinnedInstalls(upgrade).map(\.rule) == ["DL3013"])
    }

    // MARK: DL3042

    @Test func dl3042FiresAndItsFixInsertsNoCacheDir() throws {
        let text = "FROM python:3.11\nRUN pip install torch==2.4.1 \\\n    numpy==1.26.4\n"
        let command = try #require(Self.command(text, "pip install torch==2.4.1 \\\n    numpy==1.26.4"))
        let finding = try #require(PythonRules.pipCache(command).first)
        #expect(finding.rule == "DL3042" && finding.severity == .warning)
        #expect(finding.span.line == 2 && finding.span.column == 5)
        let fixed = PythonTestSupport.apply(finding.fix, to: text)
        #expect(fixed == "FROM python:3.11\nRUN pip install --no-cache-dir torch==2.4.1 \\\n    numpy==1.26.4\n")
        let reparsed = try #require(Self.command(fixed, "pip install --no-cache-dir torch==2.4.1 \\\n    numpy==1.26.4"))
        #expect(PythonRules.pipCache(reparsed).isEmpty)
        #expect(PythonRules.check(reparsed).isEmpty)
    }

    @Test func dl3042IsSilentWhenTheCacheStaysOutOfTheLayer() throws {
        let text = "RUN pip install --cache-dir /cache torch==2.4.1\n"
        let plain = try #require(Self.command("RUN pip install torch==2.4.1", "pip install torch==2.4.1"))
        let cacheDir = try #require(Self.command(text, "pip install --cache-dir /cache torch==2.4.1"))
        let prefixed = try #require(Self.command("RUN PIP_NO_CACHE_DIR=0 pip install x==1", "PIP_NO_CACHE_DIR=0 pip install x==1"))
        let uv = try #require(Self.command("RUN uv pip install --system x==1", "uv pip install --system x==1"))
        #expect(PythonRules.pipCache(plain, context: PipCacheContext(cacheMountTargets: ["/root/.cache/pip"])).isEmpty)
        #expect(PythonRules.pipCache(plain, context: PipCacheContext(cacheMountTargets: ["/root/.cache"])).isEmpty)
        #expect(PythonRules.pipCache(plain, context: PipCacheContext(cacheMountTargets: ["/home/app/.cache/pip/"])).isEmpty)
        #expect(PythonRules.pipCache(plain, context: PipCacheContext(cacheMountTargets: ["/pipcache"], environment: ["PIP_CACHE_DIR": "/pipcache"])).isEmpty)
        #expect(PythonRules.pipCache(plain, context: PipCacheContext(environment: ["PIP_NO_CACHE_DIR": "true"])).isEmpty)
        #expect(PythonRules.pipCache(cacheDir, context: PipCacheContext(cacheMountTargets: ["/cache"])).isEmpty)
        #expect(PythonRules.pipCache(prefixed).isEmpty)
        #expect(PythonRules.pipCache(uv).isEmpty)
        #expect(PythonRules.pipCache(plain, context: PipCacheContext(cacheMountTargets: ["/var/cache/apt"])).count == 1)
        #expect(PythonRules.pipCache(plain, context: PipCacheContext(environment: ["PIP_NO_CACHE_DIR": "maybe"])).count == 1)
        #expect(PythonRules.pipCache(cacheDir, context: PipCacheContext(cacheMountTargets: ["/root/.cache/pipx"])).count == 1)
    }

    @Test func aBarePipThatPATHFindsInAVenvIsOutsideTheSystemPython() throws {
        let pip = try #require(Self.command("RUN pip install --no-cache-dir -r requirements.txt", "pip install --no-cache-dir -r requirements.txt"))
        #expect(!pip.invocation(runIndex: 0).outsideSystemPython)
        #expect(pip.invocation(runIndex: 0, environment: ["PATH": "/opt/venv/bin:/usr/local/bin:/usr/bin"]).outsideSystemPython)
        #expect(pip.invocation(runIndex: 0, environment: ["VIRTUAL_ENV": "/srv/env", "PATH": "/srv/env/bin:"]).outsideSystemPython)
        #expect(pip.invocation(runIndex: 0, environment: ["PATH": "/opt/amazon/efa/bin:/opt/conda/bin:/usr/bin"]).outsideSystemPython)
        // A bin with no Python in it, or a venv after the system directories, leaves pip the system's.
        #expect(!pip.invocation(runIndex: 0, environment: ["PATH": "/opt/amazon/efa/bin:/usr/local/bin:/usr/bin"]).outsideSystemPython)
        #expect(!pip.invocation(runIndex: 0, environment: ["PATH": "/usr/local/bin:/opt/venv/bin"]).outsideSystemPython)
        let module = try #require(Self.command("RUN python3 -m pip install x==1", "python3 -m pip install x==1"))
        #expect(module.invocation(runIndex: 0, environment: ["PATH": "/app/.venv/bin:/usr/bin"]).outsideSystemPython)
        let explicit = try #require(Self.command("RUN /usr/bin/pip3 install x==1", "/usr/bin/pip3 install x==1"))
        #expect(!explicit.invocation(runIndex: 0, environment: ["PATH": "/opt/venv/bin:/usr/bin"]).outsideSystemPython)
    }

    // MARK: ImageFacts values

    @Test func entriesAndCommandsBecomeImageFacts() throws {
        let text = "torch==2.4.1+cu121\n--extra-index-url https://download.pytorch.org/whl/cu121\n"
        let file = RequirementsFile.parse(text, file: "requirements.txt")
        let package = try #require(file.entries.first?.packageInstall)
        #expect(package.name == "torch" && package.pinnedVersion == "2.4.1+cu121" && package.specifier == "==2.4.1+cu121")
        #expect(PythonTestSupport.slice(text, package.specifierSpan) == "==2.4.1+cu121")
        #expect(PythonTestSupport.apply(Fix("remove", edits: [try #require(package.removal)]), to: text).hasPrefix("--extra"))
        #expect(file.options.first?.located?.text == "https://download.pytorch.org/whl/cu121")

        let dockerfile = "RUN /opt/venv/bin/pip install torch==2.4.1 torchvision==0.19.1\n"
        let command = try #require(Self.command(dockerfile, "/opt/venv/bin/pip install torch==2.4.1 torchvision==0.19.1"))
        let invocation = command.invocation(runIndex: 2)
        #expect(invocation.outsideSystemPython && !invocation.breakSystemPackages && invocation.runIndex == 2)
        let installs = command.packageInstalls(pipInstall: 0)
        #expect(installs.map(\.name) == ["torch", "torchvision"])
        let pinnedByVariable = try #require(Self.command("RUN pip install torch==${TORCH}", "pip install torch==${TORCH}"))
        #expect(pinnedByVariable.packageInstalls(pipInstall: 0).map(\.specifier) == ["==${TORCH}"])
        let withoutVision = PythonTestSupport.apply(Fix("remove", edits: [try #require(installs[1].removal)]), to: dockerfile)
        #expect(withoutVision == "RUN /opt/venv/bin/pip install torch==2.4.1\n")
    }
}
