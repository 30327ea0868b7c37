namespace PersonaLive.Web.Live.Pipeline;

/// <summary>Why a live session ended. Pages decide what to offer next from this, never from the message text.</summary>
public enum SessionEndReason
{
    /// <summary>The person (or the page on their behalf) stopped it.</summary>
    Stopped,

    /// <summary>The connection to the browser failed (ICE consent timeout, DTLS failure, browser reported failed): reconnecting can help.</summary>
    ConnectionLost,

    /// <summary>The browser closed the connection (RTCP BYE / DTLS close_notify).</summary>
    ConnectionClosed,

    /// <summary>The animation engine threw.</summary>
    EngineFailed,

    /// <summary>Encoding or sending the output failed.</summary>
    SendFailed,

    /// <summary>No camera frames or user actions for longer than the idle timeout.</summary>
    Idle,

    /// <summary>The server is shutting down.</summary>
    ServerShutdown,
}

/// <summary>How a session ended: the typed <see cref="Reason"/> and the <see cref="Message"/> shown to people.</summary>
/// <param name="Reason">Why it ended.</param>
/// <param name="Message">One sentence for the page.</param>
public sealed record SessionEnd(SessionEndReason Reason, string Message);
