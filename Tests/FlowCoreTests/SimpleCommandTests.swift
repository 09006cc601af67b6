import Testing
@testable import FlowCore

/// Which `run:` scripts are one simple command of plain words (started without bash).
@Suite struct SimpleCommandTests {
    @Test func plainWordsAreACommand() {
        #expect(SimpleCommand.words(in: "true") == ["true"])
        #expect(SimpleCommand.words(in: "false\n") == ["false"])
        #expect(SimpleCommand.words(in: "  pytest -q tests/unit --junit-xml=report.xml\n\n") == ["pytest", "-q", "tests/unit", "--junit-xml=report.xml"])
        #expect(SimpleCommand.words(in: "./build.sh release x86_64 a,b @x 50% +1") == ["./build.sh", "release", "x86_64", "a,b", "@x", "50%", "+1"])
        #expect(SimpleCommand.words(in: "make\t-j2  all") == ["make", "-j2", "all"])
    }

    @Test func whatBashWouldReadStaysWithBash() {
        for script in [
            "", "   \n", "echo hi", "cd /tmp", "export A=1", "exit 3", "test -e x", "[ -e x ]", "source env.sh", ". env.sh",
            "if", "time make", "true x", "false 1", "A=1 make", "make $TARGET", "make \"$A\"", "make 'a b'", "make a\\ b",
            "ls *.py", "ls file?", "ls [ab]", "ls ~", "ls ~/x", "ls {a,b}", "make # comment", "make > log", "make 2>&1",
            "make | tee log", "make && make install", "make; true", "make &", "(make)", "make `date`", "make $(date)",
            "make\nmake install", "make !x", "make ^x", "python3 -c print(1)", "make ${{A}}", "make a=$B",
        ] {
            #expect(SimpleCommand.words(in: script) == nil, "\(script)")
        }
    }
}
