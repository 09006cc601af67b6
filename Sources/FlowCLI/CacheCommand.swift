import ArgumentParser
import Foundation
import FlowCore
import FlowEngine

/// `flow cache list|clear`: the memoized steps' saved successes (`cache:`) of a state directory.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "List or clear memoized steps' saved successes (`cache:`).",
        subcommands: [CacheListCommand.self, CacheClearCommand.self])
}

/// `flow cache list [STEP...]`: one line per saved success, newest first.
struct CacheListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List saved successes: step, pipeline, the run that made it, when, the size of its paths, and its key.")

    @Argument(help: "Only these steps' entries.") var steps: [String] = []
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var state: StateOptions

    func run() throws {
        // Only reads: a state directory that does not exist yet has no entries, and none is made.
        guard FileManager.default.fileExists(atPath: state.directory.databasePath) else {
            print(json ? "[]" : "no saved successes in \(state.directory.path)")
            return
        }
        let entries = try state.databaseForReading().cacheEntries().filter { steps.isEmpty || steps.contains($0.stepId) }
        if json {
            print("[" + entries.map(Self.json).joined(separator: ",") + "]")
            return
        }
        if entries.isEmpty { print("no saved successes in \(state.directory.path)") }
        for e in entries {
            print("\(e.stepId)  \(e.pipeline)  run \(e.runId)  \(ISO8601.seconds(e.createdAt))  \(ArtifactsCommand.size(Int(e.bytes)))  \(e.key.prefix(19))…"
                  + (e.paths.isEmpty ? "" : "  paths: " + e.paths.joined(separator: ", ")))
        }
    }

    static func json(_ e: CacheEntryRecord) -> String {
        "{\"key\":\(JSONText.quote(e.key)),\"step\":\(JSONText.quote(e.stepId)),\"pipeline\":\(JSONText.quote(e.pipeline)),"
            + "\"run\":\(JSONText.quote(e.runId)),\"savedAt\":\(JSONText.quote(ISO8601.string(e.createdAt))),\"bytes\":\(e.bytes),"
            + "\"paths\":[\(e.paths.map(JSONText.quote).joined(separator: ","))],\"outputs\":\(JSONText.object(e.outputs))}"
    }
}

/// `flow cache clear [STEP...]`: removes saved successes (all of them when no step is named),
/// so those steps run the next time.
struct CacheClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Remove saved successes (of these steps, or all), so the steps run next time.")

    @Argument(help: "Only these steps' entries (default: all).") var steps: [String] = []
    @OptionGroup var state: StateOptions

    func run() throws {
        guard FileManager.default.fileExists(atPath: state.directory.databasePath) else {
            print("no saved successes in \(state.directory.path)")
            return
        }
        let database = try state.database()
        let entries = try database.cacheEntries().filter { steps.isEmpty || steps.contains($0.stepId) }
        let store = StepCacheStore(stateDirectory: state.directory.path)
        // The rows go first: an entry whose files are gone is never reused, files without a row are never read.
        let removed = try database.removeCacheEntries(entries.map(\.key))
        for entry in entries { store.remove(key: entry.key) }
        // Clearing all also removes what a run that stopped between saving and recording left.
        if steps.isEmpty { store.removeAll() }
        print("removed \(removed) saved success\(removed == 1 ? "" : "es")" + (steps.isEmpty ? "" : " of " + steps.joined(separator: ", ")))
    }
}
