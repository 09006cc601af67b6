/// Which commands run code and how they read their words, for `ShellScanner`: shells and other interpreters
/// (which options and operands are program text, when they stop reading options, whether they read a program
/// from standard input when given none), wrappers that run the command in their remaining words (skipped to
/// find the real one), and commands whose arguments are all code. A command that is not here is plain: its
/// arguments are data.
enum ShellCommandSyntax: Hashable, Sendable {
    case program(ProgramSyntax)
    case wrapper(WrapperSyntax)
    /// Every argument is code: `eval`, `alias`, `ssh host …`, `watch …`.
    case codeArguments(readsStdin: Bool)
    /// `source`, `.`: the first argument names the program; the rest are its arguments.
    case source
    /// `find … -exec cmd … ;`: the words after `-exec` (and the like) are a command of their own.
    case find
    /// `xargs`: a wrapper whose command gets the words of standard input as arguments.
    case xargs(WrapperSyntax)

    /// What an option's argument is.
    enum Argument: Hashable, Sendable {
        /// None: a flag.
        case none
        /// A plain value: `awk -v name=value`, `timeout -s KILL`.
        case data
        /// Program text: `python3 -c CODE`, `sed -e SCRIPT`, `env -S COMMAND`.
        case program
        /// The code to run, by name: `awk -f FILE`, `python3 -m MODULE`, `perl -I DIR`.
        case source
    }

    /// A command's options. Short ones (`-abc`) are letters that may be clustered, the last one taking an
    /// attached or a separate argument, as getopt reads them; long ones are `--name`, `--name=value` or
    /// `--name value`. With `wholeWords` every option is one word (`-cmd`, `-Command`).
    struct Options: Hashable, Sendable {
        var table: [String: Argument] = [:]
        var wholeWords = false
        /// Options are matched without regard to case (PowerShell).
        var ignoresCase = false
        /// `+o name` as well as `-o name` (shells).
        var plus = false

        init(
            flags: String = "", longFlags: [String] = [], data: [String] = [], program: [String] = [],
            source: [String] = [], wholeWords: Bool = false, ignoresCase: Bool = false, plus: Bool = false
        ) {
            for letter in flags { table["-\(letter)"] = Argument.none }
            for name in longFlags { table[name] = Argument.none }
            for name in data { table[name] = .data }
            for name in program { table[name] = .program }
            for name in source { table[name] = .source }
            self.wholeWords = wholeWords
            self.ignoresCase = ignoresCase
            self.plus = plus
        }

        func argument(of option: String) -> Argument? { table[ignoresCase ? option.lowercased() : option] }
    }

    /// An interpreter: options, a program (an option's argument, an operand, or standard input), then data.
    struct ProgramSyntax: Hashable, Sendable {
        enum Operands: Hashable, Sendable {
            /// The first operand is the program: program text (awk, sed) or a script file (python, bash).
            case programFirst
            /// The first operand is data, the ones after it program text (`sqlite3 DATABASE SQL…`).
            case programAfterFirst
            /// Operands are data (`psql DBNAME USER`): the program comes from an option or standard input.
            case data
            /// Every operand may be program text: make reads `NAME=value` (and a value given as a target may
            /// hold `=`) as a variable whose value it expands as make code, `$(shell …)` included.
            case text
        }

        var options: Options
        var operands = Operands.programFirst
        /// Whether the first operand is program text rather than the name of a file holding it (awk, sed).
        var operandIsText = false
        /// Shells: the flag (`-c`) that makes the first operand program text instead of a script file.
        var commandStringFlag: Character? = nil
        /// Shells: the flag (`-s`) that reads the program from standard input and leaves operands as data.
        var stdinFlag: Character? = nil
        /// Python: the program's option (`-c`, `-m`) ends the options; everything after it is data.
        var programOptionEndsOptions = false
        /// GNU getopt's order: options are read anywhere before `--`, even after operands (GNU sed, psql).
        var permutes = false
        /// Whether, given no program, it reads one from standard input (shells, python, perl, …; not awk).
        var readsStdinWithoutProgram = true
        /// Whether this is a shell: its `-c` string keeps the message that suggests `$1`.
        var isShell = false
    }

    /// A command that runs the command in its remaining words.
    struct WrapperSyntax: Hashable, Sendable {
        var options: Options
        /// Operands before the command: `timeout DURATION`, `chroot DIR`, `taskset MASK`, `flock FILE`.
        var leadingOperands = 0
        /// Whether `NAME=value` words may come before the command (`env`, `sudo`).
        var assignments = false
        /// Flags that run a shell (`sudo -s`, `doas -s`), which reads its program from standard input when no
        /// command follows.
        var shellFlags: Set<String> = []
        /// Flags after which the words are not run at all (`command -v`).
        var lookupFlags: Set<String> = []
        /// xargs: options that substitute each input item into the command's words (`-I`, `--replace`).
        var replaceOptions: Set<String> = []
    }

    /// The syntax of a command named `name` (as written: a path, a versioned name), or `nil` for a plain command.
    static func named(_ name: String) -> ShellCommandSyntax? { table[normalized(name)] }

    /// `/usr/bin/python3.11` → `python`, `nodejs` → `node`, `gawk` → `awk`, `sqlite3` → `sqlite3`: the file name
    /// without a version, then the name it is an alias of.
    static func normalized(_ name: String) -> String {
        if name == "." { return name }
        var base = Substring(name.split(separator: "/").last ?? Substring(name))
        while let last = base.last, last.isNumber || last == "." { base = base.dropLast() }
        if base.hasSuffix("-") { base = base.dropLast() }
        let name = String(base)
        return aliases[name] ?? name
    }

    static let aliases: [String: String] = [
        "nodejs": "node", "gawk": "awk", "mawk": "awk", "nawk": "awk", "original-awk": "awk", "gsed": "sed",
        "luajit": "lua", "mariadb": "mysql", "wish": "tclsh", "rbash": "bash", "pdksh": "ksh", "mksh": "ksh",
        "oksh": "ksh", "powershell": "pwsh", "sem": "parallel", "runuser": "su", "sg": "su", "sqlite": "sqlite3", "gmake": "make",
    ]

    // MARK: The table

    private static let shellOptions = Options(
        flags: "abcefhiklmnprstuvxBCEHIPT", longFlags: [
            "--norc", "--noprofile", "--posix", "--login", "--verbose", "--restricted", "--noediting", "--debugger",
            "--dump-strings", "--dump-po-strings", "--help", "--version", "--pretty-print",
        ], data: ["-o", "-O", "+o", "+O"], source: ["--rcfile", "--init-file"], plus: true)

    private static let shell = ShellCommandSyntax.program(
        ProgramSyntax(options: shellOptions, commandStringFlag: "c", stdinFlag: "s", isShell: true))

    private static func wrapper(
        flags: String = "", longFlags: [String] = [], data: [String] = [], program: [String] = [],
        leadingOperands: Int = 0, assignments: Bool = false, shellFlags: Set<String> = [],
        lookupFlags: Set<String> = []
    ) -> ShellCommandSyntax {
        .wrapper(
            WrapperSyntax(
                options: Options(flags: flags, longFlags: longFlags, data: data, program: program),
                leadingOperands: leadingOperands, assignments: assignments, shellFlags: shellFlags,
                lookupFlags: lookupFlags))
    }

    static let table: [String: ShellCommandSyntax] = [
        // Shells. `-c` makes the first operand the program text; without it the first operand is a script
        // file, and with no operand (or with `-s`) the program is read from standard input.
        "bash": shell, "sh": shell, "dash": shell, "ash": shell, "ksh": shell, "zsh": shell, "yash": shell,
        "posh": shell, "csh": shell, "tcsh": shell,
        "fish": .program(
            ProgramSyntax(
                options: Options(
                    flags: "ilnNP", longFlags: ["--interactive", "--login", "--no-execute", "--private"],
                    data: ["-d", "--debug", "-o", "--debug-output", "--features", "-f"],
                    program: ["-c", "--command", "-C", "--init-command"]))),
        "pwsh": .program(
            ProgramSyntax(
                options: Options(
                    longFlags: [
                        "-noprofile", "-nop", "-noninteractive", "-noni", "-nologo", "-login", "-l", "-interactive",
                        "-i", "-mta", "-sta", "-noexit", "-noe", "-help", "-h", "-?",
                    ],
                    data: [
                        "-workingdirectory", "-wd", "-configurationname", "-config", "-executionpolicy", "-ex", "-ep",
                        "-inputformat", "-inf", "-if", "-outputformat", "-of", "-o", "-settingsfile", "-settings",
                        "-version", "-v", "-windowstyle", "-w", "-custompipename",
                    ],
                    program: [
                        "-c", "-co", "-com", "-comm", "-comma", "-comman", "-command", "-e", "-ec", "-en", "-enc",
                        "-encodedcommand",
                    ], source: ["-f", "-fi", "-fil", "-file"], wholeWords: true, ignoresCase: true))),
        // Other interpreters.
        "python": python, "pypy": python,
        "perl": .program(
            ProgramSyntax(
                options: Options(
                    flags: "acnpstTuUvwWX0lidDCxSh", program: ["-e", "-E", "-M", "-m", "-F"], source: ["-I"]))),
        "ruby": .program(
            ProgramSyntax(
                options: Options(
                    flags: "acdlnpsSvwWyx0hF",
                    longFlags: ["--version", "--verbose", "--help", "--copyright", "--yydebug", "--jit"],
                    data: ["-E", "--encoding", "-C", "--external-encoding", "--internal-encoding", "--enable",
                           "--disable", "-K"],
                    program: ["-e"], source: ["-r", "-I"]))),
        "node": .program(
            ProgramSyntax(
                options: Options(
                    flags: "ichv", longFlags: ["--check", "--interactive", "--version", "--help", "--no-warnings",
                                               "--inspect", "--inspect-brk", "--trace-warnings", "--enable-source-maps",
                                               "--experimental-vm-modules", "--preserve-symlinks", "--watch"],
                    data: ["--input-type", "-C", "--conditions", "--title", "--inspect-port", "--max-old-space-size",
                           "--stack-size", "--unhandled-rejections", "--env-file"],
                    program: ["-e", "--eval", "-p", "--print"],
                    source: ["-r", "--require", "--import", "--loader", "--experimental-loader"]))),
        "php": .program(
            ProgramSyntax(
                options: Options(
                    flags: "ehHilmnqsvwa", data: ["-t"], program: ["-r", "-B", "-R", "-E"],
                    source: ["-f", "-F", "-c", "-z", "-d"]))),
        "awk": .program(
            ProgramSyntax(
                options: Options(
                    flags: "bcCdDghMnNoOpPrsStVyY", longFlags: [
                        "--characters-as-bytes", "--traditional", "--copyright", "--dump-variables", "--debug",
                        "--gen-pot", "--help", "--bignum", "--non-decimal-data", "--use-lc-numeric", "--optimize",
                        "--no-optimize", "--profile", "--posix", "--re-interval", "--sandbox", "--lint",
                        "--pretty-print", "--version",
                    ],
                    data: ["-v", "--assign", "-F", "--field-separator", "-W", "-L"],
                    program: ["-e", "--source"],
                    source: ["-f", "--file", "-i", "--include", "-l", "--load", "-E", "--exec"]),
                operandIsText: true, readsStdinWithoutProgram: false)),
        // GNU sed reads options anywhere before `--`, so any operand before it could be `-e SCRIPT`.
        "sed": .program(
            ProgramSyntax(
                options: Options(
                    flags: "bnrEsuzi", longFlags: [
                        "--posix", "--debug", "--sandbox", "--follow-symlinks", "--separate", "--unbuffered",
                        "--null-data", "--zero-terminated", "--quiet", "--silent", "--regexp-extended", "--in-place",
                        "--binary", "--help", "--version",
                    ], data: ["-l", "--line-length"], program: ["-e", "--expression"], source: ["-f", "--file"]),
                operandIsText: true, permutes: true, readsStdinWithoutProgram: false)),
        "lua": .program(ProgramSyntax(options: Options(flags: "ivEW", program: ["-e"], source: ["-l"]))),
        "tclsh": .program(ProgramSyntax(options: Options(data: ["-encoding"], wholeWords: true))),
        "expect": .program(
            ProgramSyntax(options: Options(flags: "dDinNbv", program: ["-c"], source: ["-f"]))),
        "Rscript": .program(
            ProgramSyntax(
                options: Options(
                    longFlags: ["--vanilla", "--verbose", "--no-environ", "--no-site-file", "--no-init-file",
                                "--restore", "--no-restore", "--save", "--no-save", "--help", "--version"],
                    program: ["-e"]),
                readsStdinWithoutProgram: false)),
        "R": .program(
            ProgramSyntax(
                options: Options(
                    flags: "qs", longFlags: ["--vanilla", "--no-save", "--save", "--quiet", "--silent", "--slave",
                                             "--no-echo", "--no-environ", "--no-restore", "--interactive"],
                    data: ["--args"], program: ["-e"], source: ["-f", "--file"]),
                operands: .data)),
        "julia": .program(
            ProgramSyntax(
                options: Options(
                    flags: "hvqiO", longFlags: ["--version", "--help", "--quiet", "--interactive", "--banner"],
                    data: ["-t", "--threads", "-p", "--procs", "--project", "-J", "--sysimage", "-C", "--cpu-target"],
                    program: ["-e", "--eval", "-E", "--print"], source: ["-L", "--load"]))),
        "make": .program(
            ProgramSyntax(
                options: Options(
                    flags: "bBdeijklinpqrRsStvw", longFlags: [
                        "--always-make", "--environment-overrides", "--ignore-errors", "--keep-going",
                        "--just-print", "--dry-run", "--recon", "--print-data-base", "--question",
                        "--no-builtin-rules", "--no-builtin-variables", "--silent", "--quiet", "--no-keep-going",
                        "--stop", "--touch", "--version", "--print-directory", "--no-print-directory",
                        "--warn-undefined-variables", "--trace", "--help",
                    ],
                    data: ["-C", "--directory", "-o", "--old-file", "--assume-old", "-W", "--what-if", "--new-file",
                           "--assume-new", "--jobs", "--load-average", "--output-sync", "-O", "--debug"],
                    program: ["-E", "--eval"], source: ["-f", "--file", "--makefile", "-I", "--include-dir"]),
                operands: .text, operandIsText: true, readsStdinWithoutProgram: false)),
        // Database clients: SQL can reach the shell (`\!` in psql, `system` in mysql, `.shell` in sqlite3).
        "psql": .program(
            ProgramSyntax(
                options: Options(
                    flags: "abeEnqsSxXAHtwWz01l", longFlags: [
                        "--echo-all", "--echo-errors", "--echo-queries", "--echo-hidden", "--no-readline", "--quiet",
                        "--single-step", "--single-line", "--expanded", "--no-psqlrc", "--no-align", "--html",
                        "--tuples-only", "--no-password", "--password", "--field-separator-zero",
                        "--record-separator-zero", "--single-transaction", "--list", "--csv", "--help", "--version",
                    ],
                    data: ["-d", "--dbname", "-h", "--host", "-p", "--port", "-U", "--username", "-v", "--set",
                           "--variable", "-o", "--output", "-L", "--log-file", "-T", "--table-attr", "-P", "--pset",
                           "-F", "--field-separator", "-R", "--record-separator"],
                    program: ["-c", "--command"], source: ["-f", "--file"]),
                operands: .data, permutes: true)),
        "mysql": .program(
            ProgramSyntax(
                options: Options(
                    flags: "BNstvfrnqEXHCcV", longFlags: ["--batch", "--skip-column-names", "--silent", "--table",
                                                         "--verbose", "--force", "--raw", "--unbuffered", "--quick",
                                                         "--vertical", "--xml", "--html", "--help", "--version"],
                    data: ["-u", "--user", "-h", "--host", "-P", "--port", "-D", "--database", "-S", "--socket",
                           "--default-character-set", "--ssl-mode", "--protocol"],
                    program: ["-e", "--execute", "--init-command"]),
                operands: .data, permutes: true)),
        "sqlite3": .program(
            ProgramSyntax(
                options: Options(
                    longFlags: [
                        "-append", "-ascii", "-bail", "-batch", "-box", "-column", "-csv", "-deserialize", "-echo",
                        "-header", "-noheader", "-help", "-html", "-interactive", "-json", "-line", "-list",
                        "-markdown", "-memtrace", "-nofollow", "-quote", "-readonly", "-safe", "-stats", "-table",
                        "-tabs", "-version", "--",
                    ],
                    data: ["-separator", "-newline", "-nullvalue", "-mmap", "-maxsize", "-vfs", "-nonce"],
                    program: ["-cmd"], source: ["-init"], wholeWords: true),
                operands: .programAfterFirst, operandIsText: true, permutes: true)),
        // Bash builtins and commands whose arguments are code.
        "eval": .codeArguments(readsStdin: false), "trap": .codeArguments(readsStdin: false),
        "alias": .codeArguments(readsStdin: false), "bind": .codeArguments(readsStdin: false),
        "complete": .codeArguments(readsStdin: false), "compgen": .codeArguments(readsStdin: false),
        "watch": .codeArguments(readsStdin: false), "parallel": .codeArguments(readsStdin: true),
        // ssh joins its command words for the remote shell (and the host can be an option such as
        // `-oProxyCommand=…`); su, runuser and sg hand their command to a shell; script runs `-c` with one.
        "ssh": .codeArguments(readsStdin: true), "su": .codeArguments(readsStdin: true),
        "script": .codeArguments(readsStdin: true),
        "source": .source, ".": .source,
        "find": .find,
        "xargs": .xargs(
            WrapperSyntax(
                options: Options(
                    flags: "0rtpxo", longFlags: ["--null", "--no-run-if-empty", "--verbose", "--interactive", "--exit",
                                                 "--open-tty", "--show-limits", "--help", "--version"],
                    data: ["-a", "--arg-file", "-d", "--delimiter", "-E", "--eof", "-e", "-L", "--max-lines", "-l",
                           "-n", "--max-args", "-P", "--max-procs", "-s", "--max-chars", "--process-slot-var",
                           "-I", "--replace", "-i"]),
                replaceOptions: ["-I", "--replace", "-i"])),
        // Wrappers: skipped to find the command they run.
        "command": wrapper(flags: "pvV", lookupFlags: ["-v", "-V"]),
        "builtin": wrapper(),
        "exec": wrapper(flags: "cl", data: ["-a"]),
        // `time` as a word is bash's keyword (see `ShellScanner+Commands`); `/usr/bin/time` is this wrapper.
        "time": wrapper(flags: "pvqa", longFlags: ["--portability", "--verbose", "--quiet", "--append"],
                        data: ["-f", "--format", "-o", "--output"]),
        "nohup": wrapper(longFlags: ["--help", "--version"]),
        "env": wrapper(
            flags: "i0v", longFlags: ["-", "--ignore-environment", "--null", "--debug", "--help", "--version"],
            data: ["-u", "--unset", "-C", "--chdir", "-P", "--block-signal", "--default-signal", "--ignore-signal"],
            program: ["-S", "--split-string"], assignments: true),
        "sudo": wrapper(
            flags: "AbEHiKklnPSsVvBN",
            longFlags: ["--askpass", "--background", "--preserve-env", "--set-home", "--login", "--remove-timestamp",
                        "--reset-timestamp", "--list", "--non-interactive", "--preserve-groups", "--stdin", "--shell",
                        "--version", "--validate", "--bell", "--no-update"],
            data: ["-C", "--close-from", "-D", "--chdir", "-g", "--group", "-h", "--host", "-p", "--prompt", "-R",
                   "--chroot", "-r", "--role", "-t", "--type", "-T", "--command-timeout", "-U", "--other-user", "-u",
                   "--user"],
            assignments: true, shellFlags: ["-s", "-i", "--shell", "--login"]),
        "doas": wrapper(flags: "ns", data: ["-u", "-C"], shellFlags: ["-s"]),
        "nice": wrapper(flags: "0123456789", data: ["-n", "--adjustment"]),
        "ionice": wrapper(flags: "thV", data: ["-c", "--class", "-n", "--classdata", "-p", "--pid", "-P", "--pgid",
                                               "-u", "--uid"]),
        "chrt": wrapper(flags: "abdfiorRmpve", data: ["-T", "--sched-runtime", "-P", "--sched-period", "-D",
                                                     "--sched-deadline"], leadingOperands: 1),
        "taskset": wrapper(flags: "apc", longFlags: ["--all-tasks", "--pid", "--cpu-list"], leadingOperands: 1),
        "timeout": wrapper(flags: "v", longFlags: ["--foreground", "--preserve-status", "--verbose"],
                           data: ["-k", "--kill-after", "-s", "--signal"], leadingOperands: 1),
        "stdbuf": wrapper(data: ["-i", "--input", "-o", "--output", "-e", "--error"]),
        "setsid": wrapper(flags: "cfw", longFlags: ["--ctty", "--fork", "--wait"]),
        "chroot": wrapper(longFlags: ["--skip-chdir"], data: ["--userspec", "--groups"], leadingOperands: 1),
        "flock": wrapper(
            flags: "sxeunoFv", longFlags: ["--shared", "--exclusive", "--unlock", "--nonblock", "--close", "--no-fork",
                                           "--verbose"],
            data: ["-w", "--wait", "--timeout", "-E", "--conflict-exit-code"], program: ["-c", "--command"],
            leadingOperands: 1),
        "busybox": wrapper(),
        "nsenter": wrapper(flags: "aFZ", data: ["-t", "--target", "-S", "--setuid", "-G", "--setgid", "-r", "--root",
                                                "-w", "--wd"]),
        "unshare": wrapper(flags: "mupinUCTfr", data: ["--propagation", "--setgroups", "--map-user", "--map-group",
                                                       "-R", "--root", "-w", "--wd", "-S", "--setuid", "-G",
                                                       "--setgid"]),
        "numactl": wrapper(flags: "alsHS", data: ["-C", "--physcpubind", "-N", "--cpunodebind", "-m", "--membind",
                                                  "-p", "--preferred", "-i", "--interleave"]),
        "prlimit": wrapper(data: ["-p", "--pid", "-o", "--output"]),
        "strace": wrapper(flags: "cCdDfFhikqrtTvVwxyYzZ", data: ["-e", "-o", "-p", "-s", "-u", "-E", "-P", "-I",
                                                                 "-b", "-X", "-a", "-O", "-S", "-U"]),
        "ltrace": wrapper(flags: "bcCfhiLrStTV", data: ["-e", "-o", "-p", "-s", "-u", "-a", "-A", "-D", "-F", "-l",
                                                        "-n", "-x"]),
        "valgrind": wrapper(longFlags: ["--help", "--version", "-q", "-v"]),
        "fakeroot": wrapper(flags: "uhv", data: ["-l", "--lib", "-s", "-i", "--faked"]),
        "faketime": wrapper(flags: "m", data: ["-f", "-p"], leadingOperands: 1),
        "firejail": wrapper(longFlags: ["--quiet", "--noprofile"]),
        "torsocks": wrapper(flags: "iqd", data: ["-u", "-p", "-a", "-P"]),
        "proxychains": wrapper(flags: "q", data: ["-f"]),
        "xvfb-run": wrapper(flags: "a", data: ["-n", "-p", "-s", "-e", "-f", "-l", "-w"]),
        "dbus-run-session": wrapper(data: ["--config-file", "--dbus-daemon"]),
        "systemd-run": wrapper(
            flags: "qrGSdt", data: ["-p", "--property", "-E", "--setenv", "-u", "--unit", "-M", "--machine", "-H",
                                    "--host", "--uid", "--gid", "--nice", "--working-directory", "--slice"]),
        "cgexec": wrapper(longFlags: ["--sticky"], data: ["-g"]),
        "aa-exec": wrapper(flags: "dixv", data: ["-p", "--profile", "-n", "--namespace"]),
        "catchsegv": wrapper(),
        "eatmydata": wrapper(),
        "unbuffer": wrapper(flags: "p"),
    ]

    private static let python = ShellCommandSyntax.program(
        ProgramSyntax(
            options: Options(
                flags: "bBdEhiIOPqRsSuvVx?", longFlags: ["--help", "--version", "--help-env", "--help-xoptions",
                                                        "--help-all"],
                data: ["-W", "-X", "-Q", "--check-hash-based-pycs"], program: ["-c"], source: ["-m"]),
            programOptionEndsOptions: true))
}
