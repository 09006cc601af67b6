import Testing
@testable import FlowSteps

@Suite struct PipInstallParseTests {
    static func parse(_ command: String) -> PipInstallCommand? {
        let text = "FROM python:3.11-slim\nRUN \(command)\n"
        return PipInstallCommand.parse(PythonTestSupport.words(command, in: text))
    }

    @Test(arguments: [
        ("pip install torch", PipInstallCommand.Runner.pip, false),
        ("pip3 install torch", .pip, false),
        ("pip3.11 install torch", .pip, false),
        ("/opt/venv/bin/pip install torch", .pip, true),
        ("/usr/local/bin/pip install torch", .pip, false),
        ("/opt/conda/bin/pip install torch", .pip, true),
        ("/app/.venv/bin/pip3 install torch", .pip, true),
        ("python -m pip install torch", .pythonModule, false),
        ("python3 -m pip install torch", .pythonModule, false),
        ("python3.11 -u -m pip install torch", .pythonModule, false),
        ("/opt/venv/bin/python -m pip install torch", .pythonModule, true),
        ("uv pip install --system torch", .uv, false),
        ("sudo -H pip install torch", .pip, false),
        ("PIP_NO_CACHE_DIR=1 pip install torch", .pip, false),
        ("pip --disable-pip-version-check install torch", .pip, false),
    ])
    func pipInstallIsRecognisedInEverySpelling(command: String, runner: PipInstallCommand.Runner, venv: Bool) throws {
        let parsed = try #require(Self.parse(command))
        #expect(parsed.runner == runner)
        #expect(parsed.isVirtualEnvironmentPip == venv)
        #expect(parsed.packages.compactMap(\.requirement?.name) == ["torch"])
        #expect(parsed.installWord.text == "install")
    }

    @Test(arguments: ["pip download torch", "pip", "apt-get install -y python3-pip", "python setup.py install", "pipx install black",
                      "pip3x install torch", "python -m pipx install x", "uv add torch", "python -c 'import pip'", "pip show torch"])
    func otherCommandsAreNotPipInstall(command: String) {
        #expect(Self.parse(command) == nil)
    }

    @Test func theCommandSpanCoversTheProgramThroughInstall() throws {
        let text = "FROM python:3.11\nRUN python3 -m pip install --no-cache-dir torch\n"
        let command = try #require(PipInstallCommand.parse(PythonTestSupport.words("python3 -m pip install --no-cache-dir torch", in: text)))
        #expect(PythonTestSupport.slice(text, command.commandSpan) == "python3 -m pip install")
        #expect(command.commandSpan.line == 2 && command.commandSpan.column == 5)
        #expect(command.insertionOffset == Array(text.utf8).count - " --no-cache-dir torch\n".utf8.count)
    }

    @Test func optionsAreReadInBothSpellings() throws {
        let command = try #require(Self.parse(
            "pip install --index-url=https://download.pytorch.org/whl/cu121 --extra-index-url https://pypi.org/simple -f ./wheels "
            + "--no-cache-dir --break-system-packages --user --pre -U --no-deps --target /opt/t --prefix=/opt/p -qq "
            + "-r requirements.txt -c constraints.txt -e ./pkg torch==2.4.1 --frobnicate"))
        #expect(command.indexURL?.text == "https://download.pytorch.org/whl/cu121")
        #expect(command.indexURL?.span.column == 29)
        #expect(command.extraIndexURLs.map(\.text) == ["https://pypi.org/simple"])
        #expect(command.findLinks.map(\.text) == ["./wheels"])
        #expect(command.noCacheDir && command.breakSystemPackages && command.user && command.pre && command.upgrade && command.noDeps)
        #expect(command.target?.text == "/opt/t" && command.prefix?.text == "/opt/p")
        #expect(command.requirementFiles.map(\.text) == ["requirements.txt"])
        #expect(command.constraintFiles.map(\.text) == ["constraints.txt"])
        #expect(command.packages.map(\.isEditable) == [true, false])
        #expect(command.packages.last?.requirement?.pinnedVersion?.description == "2.4.1")
        #expect(command.unknownOptions.map(\.text) == ["--frobnicate"])
        #expect(command.indexOptions.count == 3)
        #expect(Self.parse("pip --no-cache-dir install x")?.noCacheDir == true)
        #expect(Self.parse("pip install --no-cache x")?.noCacheDir == true)
        #expect(Self.parse("pip install -i https://mirror/simple x")?.indexURL?.text == "https://mirror/simple")
    }

    @Test func packageWordsBecomeRequirementsWithSpans() throws {
        let text = "RUN pip install \"torch>=2.4,<2.5\" https://download.pytorch.org/whl/cu121/torch-2.4.1%2Bcu121-cp311-cp311-linux_x86_64.whl torchvision==$VISION ./local\n"
        let command = try #require(PipInstallCommand.parse(PythonTestSupport.words(String(text.dropFirst(4).dropLast()), in: text)))
        #expect(command.findings.isEmpty)
        #expect(command.packages.map(\.kind) == [.named, .url, .named, .path])
        let quoted = try #require(command.packages.first?.requirement)
        #expect(PythonTestSupport.slice(text, quoted.specifierSpan) == ">=2.4,<2.5")
        #expect(PythonTestSupport.slice(text, quoted.nameSpan) == "torch")
        #expect(command.packages[1].requirement?.pinnedVersion?.description == "2.4.1+cu121")
        #expect(command.packages[2].isUnresolved && command.packages[2].normalizedName == "torchvision")
        #expect(command.packages[3].requirement == nil && command.packages[3].location == "./local")
    }

    @Test func aMalformedPackageWordIsALocatedFinding() throws {
        let command = try #require(Self.parse("pip install torch==2.4.1== numpy"))
        #expect(command.findings.map(\.rule) == ["requirements-syntax"])
        #expect(command.findings.first?.span.line == 2)
        #expect(command.packages.compactMap(\.requirement?.name) == ["numpy"])
    }

    @Test func leadingAssignmentsAreKept() throws {
        let command = try #require(Self.parse("PIP_NO_CACHE_DIR=1 PIP_BREAK_SYSTEM_PACKAGES=1 pip install x"))
        #expect(command.environment == ["PIP_NO_CACHE_DIR": "1", "PIP_BREAK_SYSTEM_PACKAGES": "1"])
        #expect(command.invocation(runIndex: 0).outsideSystemPython)
    }
}
