// Chapter links seek the page's player instead of opening the audio file.
// Without script, each link is a media fragment (episode.mp3#t=754) that still plays from there.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a[data-seek]") : null;
  var audio = document.querySelector("#player audio");
  if (!link || !audio) return;
  event.preventDefault();
  audio.currentTime = Number(link.getAttribute("data-seek"));
  var playing = audio.play();
  if (playing && playing.catch) playing.catch(function () {});
  audio.focus();
});
