using PersonaLive.Inference.Engines;

namespace PersonaLive.Web.Components.Live;

/// <summary>A prepared portrait the person chose, with a name and the aligned-crop preview (data URL).</summary>
public sealed record PortraitChoice(PreparedPortrait Portrait, string Name, string PreviewUrl);
