import Foundation
import Testing
import GRDB
import FlowTestSupport
@testable import FlowEngine

@Suite struct RunTriggerTests {
    @Test func codebuildIsDetectedOnlyFromANonEmptyBuildID() {
        #expect(RunTrigger.detect(environment: [:], otherwise: .resume) == .resume)
        #expect(RunTrigger.detect(environment: ["CODEBUILD_BUILD_ID": ""], otherwise: .manual) == .manual)
        #expect(RunTrigger.detect(environment: ["CODEBUILD_BUILD_ID": "p:1"], otherwise: .retry) == .codebuild(buildID: "p:1"))
    }

    @Test func theResolvedSourceVersionIsACommitOnlyInsideCodeBuildAndWhenItIsHex() {
        let sha = "3f2a9c1e0b7d4e5f6a8b9c0d1e2f3a4b5c6d7e8f"
        #expect(RunTrigger.codebuildCommit(environment: ["CODEBUILD_RESOLVED_SOURCE_VERSION": sha]) == nil)
        #expect(RunTrigger.codebuildCommit(environment: ["CODEBUILD_BUILD_ID": "p:1", "CODEBUILD_RESOLVED_SOURCE_VERSION": sha]) == sha)
        // An S3 source's object version is not a commit.
        #expect(RunTrigger.codebuildCommit(environment: ["CODEBUILD_BUILD_ID": "p:1", "CODEBUILD_RESOLVED_SOURCE_VERSION": "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"]) == nil)
    }

    @Test func everyKindSurvivesItsStoredColumnsAndJSON() throws {
        let at = Date(timeIntervalSince1970: 1_772_953_200) // 2026-03-08T07:00:00Z
        for trigger in [RunTrigger.manual, .resume, .retry, .schedule(entry: "nightly", scheduledAt: at), .codebuild(buildID: "p:1")] {
            let row = LaunchRecord(runId: "r", at: at, trigger: trigger)
            #expect(row.trigger == trigger)
            let data = try JSONEncoder().encode(trigger)
            #expect(try JSONDecoder().decode(RunTrigger.self, from: data) == trigger)
        }
        #expect(RunTrigger.schedule(entry: "nightly", scheduledAt: at).jsonObject
                == #"{"kind":"schedule","entry":"nightly","scheduledAt":"2026-03-08T07:00:00Z"}"#)
        #expect(RunTrigger(kind: "from-a-newer-flow", entry: nil, scheduledAt: nil, buildID: nil) == .manual)
    }
}

/// A database made by a flow before typed triggers opens with its runs' kinds kept, and one launch each.
@Suite struct TriggerMigrationTests {
    @Test func runsRecordedBeforeTypedTriggersKeepTheirKindAndGetOneLaunch() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("flow.db").path
        let old = try DatabaseQueue(path: path)
        try RunDatabase.migrator.migrate(old, upTo: "v6-audit")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO runs (id, pipeline, file, source, sourceDigest, params, trigger, secretNames, status, createdAt, resumeCount)
                VALUES ('20260101-0000-0001', 'p', 'p.yml', '', '', '{}', 'codebuild', '[]', 'failed', '2026-01-01 00:00:00.000', 0)
                """)
        }
        try old.close()
        let database = try RunDatabase(path: path)
        let run = try #require(try database.run("20260101-0000-0001"))
        // The build id was never stored before; the kind is kept.
        #expect(run.trigger == .codebuild(buildID: ""))
        #expect(try database.launches(of: run.id).map(\.kind) == ["codebuild"])
    }
}
