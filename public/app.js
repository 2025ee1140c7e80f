// Small page behaviour that needs no server: the CSRF header on every htmx
// request, and local times on hover for the UTC times pages show.
(function () {
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]')
    return meta ? meta.getAttribute('content') : ''
  }

  document.addEventListener('htmx:config:request', function (evt) {
    var ctx = evt.detail && evt.detail.ctx
    if (ctx && ctx.request && ctx.request.headers) ctx.request.headers['X-CSRF-Token'] = csrf()
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
(function () {
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
