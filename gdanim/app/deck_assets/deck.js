/* gdanim deck player: one slide per section, keyboard and click navigation, speaker notes.
 *
 * Keys: right arrow, space, page down or a click: next slide; left arrow, page up: back;
 * home / end: first / last; f: full screen; s: speaker notes in this window; w: speaker
 * notes in a second window (it follows this one, and its keys drive both); c: captions on/off.
 * A slide plays its clip once and holds the last frame (or the fullest frame near the end, when
 * the clip fades out), or loops. Everything is local: the deck works with the network off.
 */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("deck-data").textContent);
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var speakerWindow = /(^|[#&])speaker($|&)/.test(location.hash.slice(1));
  var current = -1;
  var started = Date.now();
  var captionsOn = true;
  var other = null; // the window at the other end (speaker window, or the deck)
  var hint = document.getElementById("sound-hint");
  var notes = document.getElementById("notes");
  var counter = document.getElementById("counter");

  function video(i) {
    return slides[i] ? slides[i].querySelector("video") : null;
  }

  function clamp(i) {
    return Math.max(0, Math.min(slides.length - 1, i));
  }

  function holdAt(v, hold) {
    // pause on the hold frame: per frame where the browser can say so, else per timeupdate
    function done() {
      v.pause();
      v.currentTime = hold;
    }
    if (typeof v.requestVideoFrameCallback === "function") {
      var tick = function (_now, meta) {
        if (v.paused && v.ended) { return; }
        if (meta.mediaTime >= hold - 0.001) { done(); } else { v.requestVideoFrameCallback(tick); }
      };
      v.requestVideoFrameCallback(tick);
    } else {
      var onTime = function () {
        if (v.currentTime >= hold) { v.removeEventListener("timeupdate", onTime); done(); }
      };
      v.addEventListener("timeupdate", onTime);
    }
  }

  function play(i) {
    var v = video(i);
    var info = data.slides[i];
    if (!v || speakerWindow) { return; }
    v.loop = !!info.loop;
    v.muted = !info.audio;
    try { v.currentTime = 0; } catch (e) { /* not loaded yet: it starts at 0 anyway */ }
    if (!info.loop && info.hold !== null && info.hold !== undefined) { holdAt(v, info.hold); }
    var p = v.play();
    if (p && typeof p.catch === "function") {
      p.catch(function () {
        // the browser allows sound only after a key or a click: play muted until then
        v.muted = true;
        if (info.audio && hint) { hint.hidden = false; }
        v.play().catch(function () { /* still refused: the next key starts it */ });
      });
    }
  }

  function stop(i) {
    var v = video(i);
    if (v) { v.pause(); }
  }

  function setCaptions(v) {
    if (!v) { return; }
    for (var k = 0; k < v.textTracks.length; k++) {
      v.textTracks[k].mode = captionsOn ? "showing" : "hidden";
    }
  }

  function showNotes(i) {
    var info = data.slides[i];
    var next = data.slides[i + 1];
    document.getElementById("notes-title").textContent = info.title;
    document.getElementById("notes-number").textContent = (i + 1) + " / " + slides.length;
    var text = document.getElementById("notes-text");
    text.textContent = "";
    var paragraphs = (info.notes || "").split(/\n+/).filter(function (t) { return t.trim(); });
    if (!paragraphs.length) { paragraphs = ["(no notes for this slide)"]; }
    paragraphs.forEach(function (t) {
      var el = document.createElement("p");
      el.textContent = t;
      text.appendChild(el);
    });
    var img = document.getElementById("notes-next-poster");
    var label = document.getElementById("notes-next-title");
    if (next) {
      img.src = next.poster;
      img.hidden = false;
      label.textContent = "Next: " + next.title;
    } else {
      img.removeAttribute("src");
      img.hidden = true;
      label.textContent = "End of the deck";
    }
    var now = document.getElementById("notes-current-poster");
    if (now) { now.src = info.poster; }
  }

  function go(i, fromOther) {
    i = clamp(i);
    if (i === current) { return; }
    if (current >= 0) {
      slides[current].classList.remove("active");
      stop(current);
    }
    current = i;
    slides[i].classList.add("active");
    setCaptions(video(i));
    counter.textContent = (i + 1) + " / " + slides.length;
    showNotes(i);
    play(i);
    if (history.replaceState) {
      history.replaceState(null, "", "#" + (speakerWindow ? "speaker&" : "") + (i + 1));
    }
    if (other && !fromOther) {
      try { other.postMessage({ gdanimDeck: true, slide: i }, "*"); } catch (e) { other = null; }
    }
  }

  function toggleNotes() {
    document.body.classList.toggle("with-notes");
    notes.hidden = !document.body.classList.contains("with-notes");
  }

  function toggleFullscreen() {
    if (!document.fullscreenElement) {
      var req = document.documentElement.requestFullscreen();
      if (req && req.catch) { req.catch(function () {}); }
    } else if (document.exitFullscreen) {
      document.exitFullscreen();
    }
  }

  function openSpeakerWindow() {
    var url = location.href.replace(/#.*$/, "") + "#speaker&" + (current + 1);
    other = window.open(url, "gdanim-speaker", "width=1100,height=700");
  }

  function wakeSound() {
    // a key or a click: sound is allowed from now on
    if (hint && !hint.hidden) {
      hint.hidden = true;
      var v = video(current);
      if (v && data.slides[current].audio) { v.muted = false; }
    }
  }

  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) { return; }
    var handled = true;
    switch (e.key) {
      case "ArrowRight": case " ": case "PageDown": case "Enter": go(current + 1); break;
      case "ArrowLeft": case "PageUp": case "Backspace": go(current - 1); break;
      case "Home": go(0); break;
      case "End": go(slides.length - 1); break;
      case "f": case "F": toggleFullscreen(); break;
      case "s": case "S": toggleNotes(); break;
      case "w": case "W": if (!speakerWindow) { openSpeakerWindow(); } break;
      case "c": case "C":
        captionsOn = !captionsOn;
        setCaptions(video(current));
        break;
      default: handled = false;
    }
    if (handled) { e.preventDefault(); }
    wakeSound();
  });

  document.getElementById("stage").addEventListener("click", function () {
    wakeSound();
    go(current + 1);
  });

  window.addEventListener("message", function (e) {
    var msg = e.data;
    if (!msg || msg.gdanimDeck !== true) { return; }
    other = e.source;
    if (typeof msg.slide === "number") { go(msg.slide, true); }
    if (msg.hello && !speakerWindow) {
      other.postMessage({ gdanimDeck: true, slide: current }, "*");
    }
  });

  if (speakerWindow) {
    document.body.classList.add("speaker", "with-notes");
    notes.hidden = false;
    slides.forEach(function (s) {
      var v = s.querySelector("video");
      if (v) { v.preload = "none"; }
    });
    if (window.opener) {
      other = window.opener;
      other.postMessage({ gdanimDeck: true, hello: true }, "*");
    }
  }

  setInterval(function () {
    var s = Math.floor((Date.now() - started) / 1000);
    var m = Math.floor(s / 60);
    document.getElementById("notes-clock").textContent =
      m + ":" + (s % 60 < 10 ? "0" : "") + (s % 60);
  }, 1000);

  function fromHash() {
    var m = /(\d+)$/.exec(location.hash);
    return m ? parseInt(m[1], 10) - 1 : 0;
  }

  window.addEventListener("hashchange", function () { go(fromHash()); });
  go(fromHash());
})();
