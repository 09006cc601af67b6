import FlowCore

/// The engine's clock is flow's one clock protocol (declared in FlowCore so FlowHTTP's
/// retries and credential cache take the same clock the engine does).
public typealias EngineClock = FlowClock
