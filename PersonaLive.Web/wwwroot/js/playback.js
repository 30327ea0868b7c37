// PersonaLive: starting <video> playback under browsers' autoplay policies (used by live.js).
// Start a video element's playback as autoplay policies allow: muted set as a property (the attribute
// Blazor renders does not set it), then play(); if the browser still refuses, a visible "Click to play"
// button over the tile starts it, so a tile is never black without an explanation.
export function startPlayback(video) {
  video.muted = true;
  video.playsInline = true;
  const attempt = video.play();
  if (!attempt || !attempt.catch) return;
  attempt.then(() => removePlayButton(video)).catch(e => {
    if (e && e.name === 'AbortError') return; // a newer load replaced this one
    showPlayButton(video);
  });
}

function showPlayButton(video) {
  const host = video.parentElement;
  if (!host || host.querySelector(':scope > .click-to-play')) return;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'click-to-play';
  button.textContent = 'Click to play';
  button.addEventListener('click', () => {
    video.muted = true;
    video.play().then(() => removePlayButton(video)).catch(() => { button.textContent = 'Click to play (the browser refused; try again)'; });
  });
  host.appendChild(button);
}

function removePlayButton(video) {
  const button = video.parentElement && video.parentElement.querySelector(':scope > .click-to-play');
  if (button) button.remove();
}
