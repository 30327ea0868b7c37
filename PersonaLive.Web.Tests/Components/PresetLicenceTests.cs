using Bunit;
using PersonaLive.Web.Components.Pages;
using PersonaLive.Web.Live.Portraits;
using PersonaLive.Web.Tests.Fakes;

namespace PersonaLive.Web.Tests.Components;

/// <summary>The built-in presets are our own drawings dedicated to the public domain (CC0 1.0); the Studio and the shipped notice say so.</summary>
public sealed class PresetLicenceTests : BunitContext
{
    [Fact]
    public void Studio_states_the_presets_licence_next_to_them()
    {
        new LiveTestServices().Register(this);
        var page = Render<Studio>();

        var notice = page.Find(".presets .presets-licence");
        Assert.Contains("public domain", notice.TextContent, StringComparison.Ordinal);
        var link = notice.QuerySelector("a[rel=license]")!;
        Assert.Equal("CC0 1.0", link.TextContent);
        Assert.Equal("https://creativecommons.org/publicdomain/zero/1.0/", link.GetAttribute("href"));
        // It sits right after the preset buttons it is about.
        Assert.Equal("preset-list", notice.PreviousElementSibling!.ClassName);
    }

    [Fact]
    public void Notice_file_ships_with_the_app_and_dedicates_every_preset_to_the_public_domain()
    {
        var path = Path.Combine(AppContext.BaseDirectory, PresetPortraits.NoticeFile);
        Assert.True(File.Exists(path), $"{path} is not next to the binaries");
        var text = File.ReadAllText(path);
        Assert.Contains("CC0 1.0 Universal", text, StringComparison.Ordinal);
        Assert.Contains(PresetPortraits.LicenceUrl, text, StringComparison.Ordinal);
        foreach (var preset in new PresetPortraits().All)
            Assert.Contains(preset.Name.Replace(" (illustrated)", "", StringComparison.Ordinal), text, StringComparison.Ordinal);
    }
}
