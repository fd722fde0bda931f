async function tick() {
  const res = await fetch('/api/time');
  const { now, visits } = await res.json();
  document.getElementById('time').textContent = `${now} (request ${visits})`;
}
tick();
setInterval(tick, 1000);
