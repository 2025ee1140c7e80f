// Tab strips scroll sideways when their tabs do not fit (a phone, or the
// member's eleven tabs on a tablet): the tab you are on must be in sight,
// after a page load and after htmx draws a new strip, which starts scrolled
// to its left end. A file of its own, no inline script: script-src is 'self'.
(function () {
  function showCurrentTab(strip) {
    var tab = strip.querySelector('.tab.current')
    if (!tab || strip.scrollWidth <= strip.clientWidth) return
    var s = strip.getBoundingClientRect()
    var t = tab.getBoundingClientRect()
    if (t.left >= s.left && t.right <= s.right) return
    // Centred, so the tabs either side show that the strip scrolls.
    strip.scrollLeft += t.left - s.left - (s.width - t.width) / 2
  }

  function showCurrentTabs() {
    var strips = document.querySelectorAll('.tabs')
    for (var i = 0; i < strips.length; i++) showCurrentTab(strips[i])
  }

  document.addEventListener('DOMContentLoaded', showCurrentTabs)
  document.addEventListener('htmx:after:swap', showCurrentTabs)
})()
