// Small page behaviour that needs no server: the CSRF header on every htmx
// request, polls that wait while the tab is hidden, and local times on hover
// for the UTC times pages show.
(function () {
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]')
    return meta ? meta.getAttribute('content') : ''
  }

  document.addEventListener('htmx:config:request', function (evt) {
    var ctx = evt.detail && evt.detail.ctx
    if (ctx && ctx.request && ctx.request.headers) ctx.request.headers['X-CSRF-Token'] = csrf()
  })

  // Polls (hx-trigger="every 3s") skip their turn while the tab is hidden:
  // nobody reads them. Nor do they replace a region holding an open dialog:
  // the swap would close it under the operator typing in it (a name typed to
  // confirm a termination, say); the next turn after it closes refreshes.
  // Not trigger filters ([document.visibilityState ...]): htmx runs those as
  // script, which the Content-Security-Policy refuses.
  document.addEventListener('htmx:config:request', function (evt) {
    var ctx = evt.detail && evt.detail.ctx
    var poll = ctx && ctx.sourceEvent && ctx.sourceEvent.type === 'every'
    if (!poll) return
    var region = ctx.target || ctx.sourceElement
    var dialogOpen = region && region.querySelector && region.querySelector('dialog[open]')
    if (document.visibilityState !== 'visible' || dialogOpen) evt.preventDefault()
  })

  function localTimes(root) {
    var times = (root || document).querySelectorAll('time[datetime]')
    for (var i = 0; i < times.length; i++) {
      var t = times[i]
      if (t.dataset.local) continue
      var d = new Date(t.getAttribute('datetime'))
      if (isNaN(d.getTime())) continue
      t.title = d.toLocaleString() + ' (your time)'
      t.dataset.local = '1'
    }
  }

  document.addEventListener('DOMContentLoaded', function () { localTimes(document) })
  document.addEventListener('htmx:after:swap', function () { localTimes(document) })
})()

// Confirmation dialogs open with invoker commands (commandfor/command), which
// need no script; this covers browsers that predate them.
;(function () {
  if ('commandForElement' in HTMLButtonElement.prototype) return
  document.addEventListener('click', function (evt) {
    var button = evt.target && evt.target.closest && evt.target.closest('button[commandfor]')
    if (!button) return
    var dialog = document.getElementById(button.getAttribute('commandfor'))
    if (!dialog || dialog.tagName !== 'DIALOG') return
    var command = button.getAttribute('command')
    if (command === 'show-modal' && !dialog.open) dialog.showModal()
    else if (command === 'close') dialog.close()
  })
})()

// A refused form comes back with its dialog marked, to open again at the
// message. Only once htmx has settled: it moves swapped nodes, and moving an
// open dialog closes it.
;(function () {
  function reopen() {
    var dialogs = document.querySelectorAll('dialog[data-reopen]')
    for (var i = 0; i < dialogs.length; i++) {
      var d = dialogs[i]
      d.removeAttribute('data-reopen')
      if (!d.open) d.showModal()
    }
  }
  document.addEventListener('DOMContentLoaded', reopen)
  document.addEventListener('htmx:after:settle', reopen)
})()

// A job's terminal (pre[data-follow]) stays at its newest line while the
// reader is at the bottom, and stays put when they scrolled up to read.
;(function () {
  function follow(root) {
    var pres = (root || document).querySelectorAll('pre[data-follow]')
    for (var i = 0; i < pres.length; i++) {
      var pre = pres[i]
      if (pre.dataset.tracked) continue
      pre.dataset.tracked = '1'
      pre.scrollTop = pre.scrollHeight
      var pinned = { at: true }
      pre.addEventListener('scroll', (function (p, state) {
        return function () { state.at = p.scrollHeight - p.scrollTop - p.clientHeight < 24 }
      })(pre, pinned))
      new MutationObserver((function (p, state) {
        return function () { if (state.at) p.scrollTop = p.scrollHeight }
      })(pre, pinned)).observe(pre, { childList: true })
    }
  }
  document.addEventListener('DOMContentLoaded', function () { follow(document) })
  document.addEventListener('htmx:after:swap', function () { follow(document) })
})()

// Alpine components. Alpine's CSP build reads x-* attributes with a small
// parser (no globals, no arrow functions, no statements), so whatever needs
// the page (clipboard, other elements) is a method here. Registered before
// Alpine starts: this file loads first.
document.addEventListener('alpine:init', function () {
  // A button that copies the text of the element its data-copy selector names.
  window.Alpine.data('copyButton', function () {
    return {
      copied: false,
      copy: function () {
        var source = document.querySelector(this.$el.dataset.copy)
        if (!source) return
        var self = this
        navigator.clipboard.writeText(source.textContent.trim()).then(function () { self.copied = true })
      },
    }
  })

  // "All servers" and the one-per-server boxes of a run form, kept in step.
  window.Alpine.data('serverChecks', function () {
    return {
      checkAll: function (evt) {
        var boxes = this.$root.querySelectorAll('[data-member]')
        for (var i = 0; i < boxes.length; i++) boxes[i].checked = evt.target.checked
      },
      checkOne: function (evt) {
        if (!evt.target.checked) this.$root.querySelector('[data-all]').checked = false
      },
    }
  })
})
