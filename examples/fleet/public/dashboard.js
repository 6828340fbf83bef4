// The fleet dashboard: a table fed by /fleet/stream (Server-Sent Events), counters and a uPlot
// chart fed by /stats. Plain browser JavaScript, no build step; everything comes from this app.
(() => {
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  const rows = new Map(); // miner id -> { tr, cells, status }
  const tbody = $('fleet').querySelector('tbody');
  const FIELDS = ['state', 'hashrateTHs', 'temperatureC', 'fanSpeedRpm', 'updatedAt'];

  // ---- fleet table ---------------------------------------------------------------------------

  function rowFor(id) {
    let row = rows.get(id);
    if (row) return row;
    const tr = document.createElement('tr');
    tr.dataset.miner = id;
    const cells = {};
    for (const field of ['id', 'model', 'rack', ...FIELDS]) {
      const td = document.createElement('td');
      td.dataset.field = field;
      if (!['id', 'model', 'rack', 'state'].includes(field)) td.className = 'num';
      tr.appendChild(td);
      cells[field] = td;
    }
    cells.id.textContent = id;
    cells.id.className = 'mono';
    row = { tr, cells, status: undefined };
    rows.set(id, row);
    let before = null;
    for (const [other, r] of rows)
      if (other > id && (!before || other < before.dataset.miner)) before = r.tr;
    tbody.insertBefore(tr, before);
    applyFilter(row);
    return row;
  }

  function setCell(td, text, flash) {
    if (td.textContent === text) return;
    td.textContent = text;
    if (!flash) return;
    td.classList.remove('changed');
    void td.offsetWidth; // restart the highlight
    td.classList.add('changed');
    clearTimeout(td.flashTimer);
    td.flashTimer = setTimeout(() => td.classList.remove('changed'), 1200);
  }

  function showStatus(status, flash) {
    const row = rowFor(status.id);
    if (row.status && row.status.updatedAt > status.updatedAt) return; // older than what we show
    row.status = status;
    const { cells } = row;
    if (cells.state.dataset.online !== String(status.online)) {
      cells.state.dataset.online = String(status.online);
      cells.state.innerHTML = '';
      const pill = document.createElement('span');
      pill.className = status.online ? 'state' : 'state offline';
      pill.textContent = status.online ? 'online' : 'offline';
      cells.state.appendChild(pill);
      if (flash) setCell(cells.state, cells.state.textContent, false);
    }
    row.tr.classList.toggle('offline', !status.online);
    setCell(cells.hashrateTHs, status.hashrateTHs.toFixed(1), flash);
    setCell(cells.temperatureC, status.temperatureC.toFixed(1), flash);
    cells.temperatureC.classList.toggle('hot', status.temperatureC >= 85);
    setCell(cells.fanSpeedRpm, fmt.format(status.fanSpeedRpm), flash);
    setCell(cells.updatedAt, new Date(status.updatedAt).toLocaleTimeString(), false);
  }

  function showMiner(miner) {
    const row = rowFor(miner.id);
    row.cells.model.textContent = miner.model;
    row.cells.rack.textContent = miner.rack;
    applyFilter(row);
  }

  function applyFilter(row) {
    const query = $('filter').value.trim().toLowerCase();
    row.tr.hidden = query !== '' && !row.tr.textContent.toLowerCase().includes(query);
  }
  $('filter').addEventListener('input', () => {
    for (const row of rows.values()) applyFilter(row);
  });

  function fleetCards() {
    let online = 0;
    let hashrate = 0;
    let hot = 0;
    for (const { status } of rows.values()) {
      if (!status) continue;
      if (status.online) online++;
      hashrate += status.hashrateTHs;
      if (status.temperatureC >= 85) hot++;
    }
    $('c-online').textContent = `${online} / ${rows.size}`;
    $('c-online-sub').textContent = hot > 0 ? `${hot} running hot (≥ 85 °C)` : 'none running hot';
    $('c-hashrate').textContent = (hashrate / 1000).toFixed(2);
  }

  // ---- config changes ------------------------------------------------------------------------

  function showConfigChange(change) {
    const list = $('changes');
    list.querySelector('.empty')?.remove();
    const li = document.createElement('li');
    const when = document.createElement('span');
    when.className = 'when';
    when.textContent = new Date().toLocaleTimeString();
    const what = document.createElement('div');
    what.innerHTML = '<strong></strong> <span class="muted"></span>';
    what.firstChild.textContent = change.minerId;
    what.lastChild.textContent = `${change.config.powerTargetW} W · fans ${change.config.fanMode}`;
    const pool = document.createElement('div');
    pool.className = 'mono muted';
    pool.textContent = change.config.poolUrl;
    li.append(when, what, pool);
    list.prepend(li);
    while (list.children.length > 50) list.lastElementChild.remove();
  }

  // ---- event stream --------------------------------------------------------------------------

  function connect() {
    const live = $('live');
    const events = new EventSource('/fleet/stream');
    events.onopen = () => {
      live.dataset.state = 'live';
      live.textContent = 'live';
    };
    events.onerror = () => {
      live.dataset.state = events.readyState === EventSource.CLOSED ? 'down' : 'connecting';
      live.textContent = events.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting';
    };
    events.addEventListener('snapshot', (event) => {
      for (const status of JSON.parse(event.data).statuses) showStatus(status, false);
      fleetCards();
    });
    events.addEventListener('status', (event) => showStatus(JSON.parse(event.data), true));
    events.addEventListener('config', (event) => showConfigChange(JSON.parse(event.data)));
  }

  // ---- chart ---------------------------------------------------------------------------------

  const POINTS = 180;
  const data = [[], [], [], []];
  let chart;

  function makeChart() {
    const el = $('chart');
    const ms = (_u, values) => values.map((v) => `${v} ms`);
    chart = new uPlot(
      {
        width: el.clientWidth || 800,
        height: 260,
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: true },
          ratio: { range: [0, 100] },
          ms: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
        },
        series: [
          {},
          {
            label: 'hit ratio (1 s)',
            scale: 'ratio',
            stroke: '#16a34a',
            width: 2,
            fill: 'rgba(22,163,74,0.08)',
            value: (_u, v) => (v == null ? '–' : `${v.toFixed(1)} %`),
          },
          {
            label: 'p50',
            scale: 'ms',
            stroke: '#2563eb',
            width: 1.5,
            value: (_u, v) => (v == null ? '–' : `${v.toFixed(2)} ms`),
          },
          {
            label: 'p99',
            scale: 'ms',
            stroke: '#d97706',
            width: 1.5,
            dash: [5, 4],
            value: (_u, v) => (v == null ? '–' : `${v.toFixed(2)} ms`),
          },
        ],
        axes: [
          {},
          { scale: 'ratio', values: (_u, values) => values.map((v) => `${v} %`) },
          { scale: 'ms', side: 1, grid: { show: false }, values: ms },
        ],
      },
      data,
      el,
    );
    new ResizeObserver(() => chart.setSize({ width: el.clientWidth, height: 260 })).observe(el);
  }

  // ---- counters from /stats ------------------------------------------------------------------

  let previous;

  function showStats(stats) {
    $('store').textContent = stats.instance.store === 'redis' ? 'Redis' : 'in-memory store';
    $('instance').textContent = `instance ${stats.instance.id.slice(0, 8)}`;
    const totals = stats.cache.totals;
    $('c-ratio').textContent =
      totals.hitRatio == null ? '–' : `${(totals.hitRatio * 100).toFixed(1)} %`;
    $('c-hits').textContent = fmt.format(totals.hits);
    $('c-hits-sub').textContent =
      `L1 ${fmt.format(totals.l1Hits)} · L2 ${fmt.format(totals.l2Hits)}`;
    $('c-misses').textContent = fmt.format(totals.misses);
    $('c-misses-sub').textContent =
      `${fmt.format(totals.stale)} stale · ${fmt.format(totals.invalidations)} invalidations`;
    $('c-source').textContent = fmt.format(stats.source.total);
    const calls = stats.source.calls;
    $('c-source-sub').textContent =
      `status ${calls.status} · config ${calls.config} · summary ${calls.summary}`;

    let ratio = null;
    if (previous) {
      const hits = totals.hits - previous.hits;
      const reads = hits + totals.misses - previous.misses;
      ratio = reads > 0 ? (100 * hits) / reads : null;
    }
    previous = totals;
    const http = stats.http;
    data[0].push(stats.at / 1000);
    data[1].push(ratio);
    data[2].push(http.requests > 0 ? http.p50 : null);
    data[3].push(http.requests > 0 ? http.p99 : null);
    for (const series of data) if (series.length > POINTS) series.shift();
    chart?.setData(data);
  }

  async function poll(url, show) {
    try {
      const response = await fetch(url, { cache: 'no-store' });
      if (response.ok) show(await response.json(), response);
    } catch {
      // The server is restarting: the next poll tries again.
    }
  }

  function showSummary(summary, response) {
    const cache = response.headers.get('x-cache') ?? '–';
    const age = response.headers.get('age');
    $('summary').textContent =
      `summary: ${summary.online}/${summary.miners} online · ${(summary.totalHashrateTHs / 1000).toFixed(2)} PH/s · ` +
      `${fmt.format(summary.totalPowerTargetW / 1000)} kW target · x-cache ${cache}${age ? `, age ${age} s` : ''}`;
  }

  // ---- simulated clients ---------------------------------------------------------------------

  // About RATE requests per second, whatever the timer resolution (browsers throttle timers of
  // pages they consider in the background).
  const RATE = 20;
  let trafficClock = performance.now();

  function simulateClients() {
    const now = performance.now();
    const due = Math.min(RATE * 2, Math.floor(((now - trafficClock) * RATE) / 1000));
    if (due === 0) return;
    trafficClock = due === RATE * 2 ? now : trafficClock + (due * 1000) / RATE;
    if (!$('traffic').checked || document.hidden || rows.size === 0) return;
    const ids = [...rows.keys()];
    for (let i = 0; i < due; i++) {
      const id = ids[Math.floor(Math.random() * ids.length)];
      // Each request stands for another client: not from this browser's own HTTP cache.
      fetch(`/miners/${encodeURIComponent(id)}/status`, { cache: 'no-store' }).catch(
        () => undefined,
      );
    }
  }

  // ---- start ---------------------------------------------------------------------------------

  connect();
  poll('/miners', (body) => {
    for (const miner of body.miners) showMiner(miner);
    fleetCards();
  });
  if (window.uPlot) makeChart();
  poll('/stats', showStats);
  poll('/fleet/summary', showSummary);
  setInterval(() => poll('/stats', showStats), 1000);
  setInterval(() => poll('/fleet/summary', showSummary), 5000);
  setInterval(fleetCards, 1000);
  setInterval(simulateClients, 100);
})();
