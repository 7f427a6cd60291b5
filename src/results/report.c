/*
 * `twinsim report`: one self-contained HTML file for an experiment or optimize run, read from
 * the results database. Everything the page needs is inside it: the run's JSON document and the
 * buffer traces as an embedded data block, and a small script that draws the charts as inline
 * SVG. No network, no external script or font, so the file opens anywhere, offline.
 *
 * Charts: the objective or any KPI per scenario, its mean with the 95% confidence interval on an
 * axis fitted to the intervals (from 0 only when they come near 0, so that a 1% difference
 * shows); machine state shares as stacked bars; buffer content over time (replication 0 of the
 * chosen scenario: its exact steps, or for a long run each interval's range and mean). The script
 * sets document.body.dataset.charts to the number of charts drawn, which the browser test reads.
 */
#include "core/core.h"
#include "results/db.h"
#include "results/results.h"
#include "results/sqlopen.h"

#include <math.h>
#include "core/sqlite_lib.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char page_head[] =
    "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>twinsim report</title>\n<style>\n"
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}\n"
    "h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n"
    "table{border-collapse:collapse;font-size:12px}td,th{padding:2px 8px;border-bottom:1px solid #ddd;"
    "text-align:right}th{background:#f4f4f4}td.l,th.l{text-align:left}\n"
    "tr.best td{font-weight:bold;background:#eef8ee}tr.same td{background:#f6fbf6}\n"
    ".chart svg{border:1px solid #eee;background:#fff}.axis{font-size:11px;fill:#555}\n"
    "select{margin:4px 0}.note{color:#666;font-size:12px}\n"
    "</style>\n</head>\n<body>\n";

static const char page_body[] =
    "<h1 id=\"title\">twinsim report</h1>\n<p id=\"summary\"></p>\n"
    "<h2>KPI per scenario (mean and 95% confidence interval)</h2>\n"
    "<label>KPI <select id=\"kpi-select\"></select></label>\n"
    "<div class=\"chart\" id=\"kpi-chart\"></div>\n"
    "<h2>Machine states</h2>\n<label>scenario <select id=\"state-select\"></select></label>\n"
    "<div class=\"chart\" id=\"state-chart\"></div>\n"
    "<h2>Buffer content over time (replication 0)</h2>\n"
    "<label>scenario <select id=\"trace-select\"></select></label>\n"
    "<div class=\"chart\" id=\"trace-chart\"></div>\n"
    "<h2>Scenarios</h2>\n<div id=\"table\"></div>\n";

/* The drawing script. Plain DOM and SVG, no library: the page must work offline. */
static const char page_script[] =
    "<script>\n"
    "(function(){\n"
    "'use strict';\n"
    "var D=JSON.parse(document.getElementById('data').textContent),R=D.run,S=R.scenarios;\n"
    "var NS='http://www.w3.org/2000/svg';\n"
    "var COLORS={busy:'#2e7d32',idle:'#bdbdbd',blocked:'#ef6c00',starved:'#fbc02d',down:'#c62828',"
    "setup:'#6a1b9a',off_shift:'#455a64',waiting:'#0277bd'};\n"
    "var PALETTE=['#1565c0','#2e7d32','#ef6c00','#6a1b9a','#c62828','#00838f','#5d4037','#ad1457'];\n"
    "function E(tag,attrs,parent,text){var e=document.createElementNS(NS,tag);"
    "for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!==undefined)e.textContent=text;"
    "if(parent)parent.appendChild(e);return e;}\n"
    "function fmt(v){if(v===null||v===undefined||!isFinite(v))return '-';var a=Math.abs(v);"
    "return a!==0&&(a<1e-3||a>=1e6)?v.toExponential(3):(+v.toPrecision(5)).toString();}\n"
    "function label(s){var f=s.factors,p=[];for(var k in f)p.push(k+'='+f[k]);"
    "return '#'+s.id+(p.length?' '+p.join(', '):'');}\n"
    "function svg(box,w,h){box.innerHTML='';return E('svg',{width:w,height:h,viewBox:'0 0 '+w+' '+h,"
    "role:'img'},box);}\n"
    "function ticks(lo,hi,n){var st=Math.pow(10,Math.floor(Math.log10((hi-lo)/n||1)));"
    "var m=(hi-lo)/n/st;st*=m>5?10:m>2?5:m>1?2:1;var t=[];"
    "for(var v=Math.ceil(lo/st)*st;v<=hi+st*1e-9;v+=st)t.push(v);return t;}\n"
    "function yaxis(g,lo,hi,y,x0,x1){ticks(lo,hi,5).forEach(function(v){var yy=y(v);"
    "E('line',{x1:x0,x2:x1,y1:yy,y2:yy,stroke:'#eee'},g);"
    "E('text',{x:x0-4,y:yy+4,'text-anchor':'end','class':'axis'},g,fmt(v));});}\n"
    "function kpiValues(name){return S.map(function(s){"
    "if(name==='objective')return s.objective||null;return s.kpis[name]||null;});}\n"
    /* KPI means with CI whiskers, on an axis fitted to the intervals: scenarios a percent
     * apart must look apart, so the axis starts at 0 only when the values come near it */
    "function drawKpi(name){var box=document.getElementById('kpi-chart'),v=kpiValues(name);"
    "var n=S.length,w=Math.max(360,Math.min(1100,60+n*34)),h=300,l=70,b=60,t=14;"
    "var s=svg(box,w,h),lo=Infinity,hi=-Infinity;v.forEach(function(x){"
    "if(!x||!isFinite(x.mean))return;var e=isFinite(x.half_width)?x.half_width:0;"
    "lo=Math.min(lo,x.mean-e);hi=Math.max(hi,x.mean+e);});"
    "if(!isFinite(lo)){lo=0;hi=1;}if(hi-lo<=Math.abs(hi)*1e-12){var d=Math.abs(hi)*0.01||1;"
    "lo-=d;hi+=d;}var pad=(hi-lo)*0.1;if(lo>=0&&lo-pad<=0||lo<=(hi-lo)*0.5&&lo>=0)lo=0;"
    "else lo-=pad;hi+=pad;"
    "var y=function(q){return t+(h-t-b)*(1-(q-lo)/(hi-lo));};yaxis(s,lo,hi,y,l,w-8);"
    "var bw=(w-l-8)/n;v.forEach(function(x,i){if(!x||!isFinite(x.mean))return;"
    "var cx=l+bw*i+bw/2,best=R.best===i,"
    "col=best?'#2e7d32':(S[i].indistinguishable_from_best?'#81c784':'#1565c0');"
    "if(isFinite(x.half_width)){var y1=y(x.mean-x.half_width),y2=y(x.mean+x.half_width);"
    "E('line',{x1:cx,x2:cx,y1:y1,y2:y2,stroke:col,'stroke-width':2,'class':'ci'},s);"
    "E('line',{x1:cx-6,x2:cx+6,y1:y1,y2:y1,stroke:col},s);"
    "E('line',{x1:cx-6,x2:cx+6,y1:y2,y2:y2,stroke:col},s);}"
    "var c=E('circle',{cx:cx,cy:y(x.mean),r:4.5,fill:col,'class':'mean'},s);"
    "E('title',{},c,label(S[i])+': '+fmt(x.mean)+' \\u00b1 '+fmt(x.half_width));"
    "E('text',{x:cx,y:h-b+14,'text-anchor':'middle','class':'axis'},s,'#'+S[i].id);});"
    "E('text',{x:l,y:h-26,'class':'axis'},s,name+(lo>0?' (the axis does not start at 0)':''));"
    "if(R.best!==undefined&&R.best!==null)E('text',{x:l,y:h-10,'class':'axis'},s,"
    "'dark green: best; light green: not told apart from it');return 1;}\n"
    /* stacked machine state shares */
    "var STATES=['busy','setup','waiting','blocked','starved','down','off_shift','idle'];\n"
    "function machines(){var m=[],seen={};R.kpis.forEach(function(k){var p=k.indexOf('.states.');"
    "if(p>0){var n=k.slice(0,p);if(!seen[n]){seen[n]=1;m.push(n);}}});return m;}\n"
    "function drawStates(si){var box=document.getElementById('state-chart'),ms=machines();"
    "var w=760,rowh=28,l=140,h=40+Math.max(1,ms.length)*rowh+30,s=svg(box,w,h),x0=l,x1=w-20;"
    "ticks(0,1,5).forEach(function(v){var xx=x0+(x1-x0)*v;E('line',{x1:xx,x2:xx,y1:10,"
    "y2:h-40,stroke:'#eee'},s);E('text',{x:xx,y:h-26,'text-anchor':'middle','class':'axis'},s,"
    "Math.round(v*100)+'%');});var sc=S[si];"
    "ms.forEach(function(m,i){var y=14+i*rowh,acc=0;E('text',{x:l-6,y:y+rowh/2+2,"
    "'text-anchor':'end','class':'axis'},s,m);STATES.forEach(function(st){"
    "var k=sc.kpis[m+'.states.'+st];if(!k||!isFinite(k.mean)||k.mean<=0)return;"
    "var r=E('rect',{x:x0+(x1-x0)*acc,y:y,width:Math.max(0.5,(x1-x0)*k.mean),height:rowh-8,"
    "fill:COLORS[st]||'#999','class':'share'},s);E('title',{},r,m+' '+st+': '+"
    "(100*k.mean).toFixed(1)+'%');acc+=k.mean;});});"
    "var lx=l;STATES.forEach(function(st){E('rect',{x:lx,y:h-16,width:10,height:10,"
    "fill:COLORS[st]},s);E('text',{x:lx+13,y:h-7,'class':'axis'},s,st);lx+=78;});return 1;}\n"
    /* buffer content over time: the exact steps, or for a long run each interval's lowest to
     * highest content as a band and its time-weighted mean as a step line */
    "function steps(q,vals,X,Y,end){var d='';for(var k=0;k<vals.length;k++){"
    "d+=(k?'H'+X(q.t[k]).toFixed(1)+'V':'M'+X(q.t[k]).toFixed(1)+',')+Y(vals[k]).toFixed(1);}"
    "if(end!==undefined)d+='H'+X(end).toFixed(1);return d;}\n"
    "function drawTrace(si){var box=document.getElementById('trace-chart');"
    /* the legend: LEG names a row, as many rows as the buffers need, below the time axis and its
     * label; the plot keeps its height */
    "var tr=D.traces.filter(function(t){return t.scen===si;});var LEG=5,"
    "rows=Math.max(1,Math.ceil(tr.length/LEG)),w=760,b=34+16*rows,h=240+b,l=50,t=14;"
    "var s=svg(box,w,h);if(!tr.length){E('text',{x:20,y:40,'class':'axis'},s,"
    "'no trace recorded for this scenario');return 1;}var tmax=0,vmax=1;tr.forEach(function(q){"
    "q.t.forEach(function(x){if(x>tmax)tmax=x;});"
    "(q.hi||q.v).forEach(function(x){if(x>vmax)vmax=x;});"
    "q.end=q.t.length>q.v.length?q.t[q.v.length]:undefined;});"
    /* 24 px right of the plot: the last time label is centred on its end */
    "if(tmax<=0)tmax=1;var X=function(q){return l+(w-l-24)*q/tmax;},"
    "Y=function(q){return t+(h-t-b)*(1-q/vmax);};yaxis(s,0,vmax,Y,l,w-10);"
    "ticks(0,tmax,6).forEach(function(v){E('text',{x:X(v),y:h-b+14,'text-anchor':'middle',"
    "'class':'axis'},s,fmt(v));});var binned=0;tr.forEach(function(q,i){"
    "var col=PALETTE[i%PALETTE.length];if(q.lo&&q.hi){binned=1;"
    "var up=steps(q,q.hi,X,Y,q.end),dn='',k;for(k=q.lo.length-1;k>=0;k--){"
    "var x1=q.t[k+1];dn+='L'+X(x1).toFixed(1)+','+Y(q.lo[k]).toFixed(1)+"
    "'L'+X(q.t[k]).toFixed(1)+','+Y(q.lo[k]).toFixed(1);}"
    "E('path',{d:up+dn+'Z',fill:col,'fill-opacity':0.18,stroke:'none','class':'band'},s);}"
    "E('path',{d:steps(q,q.v,X,Y,q.end),fill:'none',stroke:col,'stroke-width':1.5,"
    /* the name in its line's colour: a style, since the axis class's fill outranks an attribute */
    "'class':'trace'},s);E('text',{x:l+8+(i%LEG)*140,y:h-b+46+16*Math.floor(i/LEG),"
    "style:'fill:'+col,'class':'axis legend'},s,q.name);});"
    "E('text',{x:w-10,y:h-b+28,'text-anchor':'end','class':'axis'},s,"
    "(binned?'line: mean over each interval; band: lowest to highest content; ':'')+"
    "'time ('+R.time_unit+')');return 1;}\n"
    "function table(){var h='<table><tr><th>#</th>';var fs=R.factors.map(function(f){return f.name;});"
    "fs.forEach(function(f){h+='<th class=l>'+esc(f)+'</th>';});h+='<th>reps</th>';"
    "if(R.objective)h+='<th>objective</th><th>feasible</th>';h+='<th>throughput</th></tr>';"
    "S.forEach(function(s){var cls=R.best===s.id?'best':(s.indistinguishable_from_best?'same':'');"
    "h+='<tr class='+cls+'><td>'+s.id+'</td>';fs.forEach(function(f){h+='<td class=l>'+"
    "esc(s.factors[f])+'</td>';});h+='<td>'+s.replications+'</td>';if(R.objective){var o=s.objective;"
    "h+='<td>'+(o?fmt(o.mean)+' \\u00b1 '+fmt(o.half_width):'-')+'</td><td>'+(s.feasible?'yes':'no')+"
    "'</td>';}var th=s.kpis['system.throughput'];h+='<td>'+(th?fmt(th.mean)+' \\u00b1 '+"
    "fmt(th.half_width):'-')+'</td></tr>';});document.getElementById('table').innerHTML=h+'</table>';}\n"
    "function esc(t){return String(t).replace(/[&<>\"]/g,function(c){return{'&':'&amp;','<':'&lt;',"
    "'>':'&gt;','\"':'&quot;'}[c];});}\n"
    "function fill(sel,items,value){sel.innerHTML='';items.forEach(function(it){var o="
    "document.createElement('option');o.value=it[0];o.textContent=it[1];sel.appendChild(o);});"
    "sel.value=value;}\n"
    "document.getElementById('title').textContent='twinsim '+R.kind+': '+R.experiment;\n"
    "var sm=S.length+' scenarios, '+R.replications_total+' replications, seed '+R.seed+"
    "', model '+R.model+'.';\n"
    "if(R.objective){var ob=R.objective.maximize!==undefined?'maximize '+R.objective.maximize:"
    "'minimize '+R.objective.minimize;sm+=' Objective: '+ob+(R.objective.subject_to.length?"
    "' subject to '+R.objective.subject_to.join(', '):'')+'.';"
    "sm+=R.best!==null&&R.best!==undefined?' Best: '+label(S[R.best])+'.':' No scenario meets the constraints.';}\n"
    "document.getElementById('summary').textContent=sm;\n"
    "var ks=document.getElementById('kpi-select'),opts=[];if(R.objective)opts.push(['objective',"
    "'objective']);R.kpis.forEach(function(k){opts.push([k,k]);});\n"
    "fill(ks,opts,R.objective?'objective':'system.throughput');\n"
    "var sopts=S.map(function(s,i){return [i,label(s)];}),first=R.best!==null&&R.best!==undefined?R.best:0;\n"
    "var ss=document.getElementById('state-select'),ts=document.getElementById('trace-select');\n"
    "fill(ss,sopts,first);fill(ts,sopts,first);\n"
    "var drawn=0;drawn+=drawKpi(ks.value);drawn+=drawStates(first);drawn+=drawTrace(first);table();\n"
    "ks.onchange=function(){drawKpi(ks.value);};ss.onchange=function(){drawStates(+ss.value);};\n"
    "ts.onchange=function(){drawTrace(+ts.value);};\n"
    "document.body.dataset.charts=String(drawn);\n"
    "})();\n"
    "</script>\n</body>\n</html>\n";

/* tsim_errmsg() without its leading "function: ". */
static const char *errtext(void)
{
    const char *m = tsim_errmsg(), *c = strstr(m, ": ");
    return c && !memchr(m, ' ', (size_t)(c - m)) ? c + 2 : m;
}

/* The first column of the first row of `sql` (with ?1 bound to `arg` when given), or 0. */
static long count(sqlite3 *db, const char *sql, ...)
{
    sqlite3_stmt *st;
    long v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return 0;
    if (sqlite3_bind_parameter_count(st) > 0) {
        va_list ap;
        va_start(ap, sql);
        sqlite3_bind_int64(st, 1, va_arg(ap, long));
        va_end(ap);
    }
    if (sqlite3_step(st) == SQLITE_ROW) v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int no_rows(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) return 1;
    int none = sqlite3_step(st) != SQLITE_ROW;
    sqlite3_finalize(st);
    return none;
}

/* JSON text inside <script>: "<" only occurs inside strings, where \u003c means the same and
 * cannot close the element. */
static void put_embedded(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("\\u003c", f);
        else fputc(*s, f);
    }
}

static void put_doubles(FILE *f, const void *blob, int bytes)
{
    const double *v = blob;
    int n = bytes / (int)sizeof(double);
    fputc('[', f);
    for (int i = 0; i < n; i++) {
        double x;
        char num[40];
        memcpy(&x, &v[i], sizeof x);
        if (isfinite(x))
            tsim__fmt_double(num, sizeof num, x);
        else
            snprintf(num, sizeof num, "null");
        fprintf(f, i ? ",%s" : "%s", num);
    }
    fputc(']', f);
}

int tsim__report_html(const char *dbpath, long run, const char *out, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    FILE *f = NULL;
    struct tsim__out o = {0};
    int rc = -1;
    if (access(dbpath, F_OK) != 0) {
        snprintf(err, errlen, "no results database '%s' (twinsim experiment records runs there)",
                 dbpath);
        goto done;
    }
    /* A file that is no results database is named for what it is (tsim__db_open says). */
    if (tsim__db_open(dbpath, 0, &db) != 0) {
        snprintf(err, errlen, "%s", errtext());
        goto done;
    }
    int has_runs = tsim__db_has_table(db, "runs");
    if (run && has_runs && count(db, "SELECT count(*) FROM runs WHERE id = ?1", run) > 0 &&
        (!tsim__db_has_table(db, "exp_runs") ||
         count(db, "SELECT count(*) FROM exp_runs WHERE id = ?1", run) == 0)) {
        snprintf(err, errlen, "run %ld in '%s' is a run of 'twinsim run', not an experiment: "
                 "'twinsim show %ld' shows it", run, dbpath, run);
        goto done;
    }
    if (!tsim__db_has_table(db, "exp_runs") || no_rows(db, "SELECT 1 FROM exp_runs")) {
        long runs = has_runs ? count(db, "SELECT count(*) FROM runs") : 0;
        if (runs > 0)
            snprintf(err, errlen, "'%s' holds no experiment or optimize runs, only %ld run%s of "
                     "'twinsim run' ('twinsim show' shows those)", dbpath, runs,
                     runs == 1 ? "" : "s");
        else
            snprintf(err, errlen, "'%s' holds no runs at all", dbpath);
        goto done;
    }
    const char *q = run ? "SELECT id, json, status FROM exp_runs WHERE id=?1"
                        : "SELECT id, json, status FROM exp_runs WHERE status='done' AND "
                          "json IS NOT NULL ORDER BY id DESC LIMIT 1";
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
        tsim__db_fail(db, dbpath, "cannot read");
        snprintf(err, errlen, "%s", errtext());
        goto done;
    }
    if (run) sqlite3_bind_int64(st, 1, run);
    if (sqlite3_step(st) != SQLITE_ROW) {
        if (run)
            snprintf(err, errlen, "no experiment run %ld in '%s'", run, dbpath);
        else
            snprintf(err, errlen, "'%s' holds no finished experiment or optimize run", dbpath);
        goto done;
    }
    run = (long)sqlite3_column_int64(st, 0);
    const char *json = (const char *)sqlite3_column_text(st, 1);
    if (!json || !*json) {
        snprintf(err, errlen, "run %ld in '%s' did not finish (it is '%s'): continue it with "
                 "--resume first", run, dbpath, (const char *)sqlite3_column_text(st, 2));
        goto done;
    }
    if (tsim__out_open(&o, out) != 0) {
        snprintf(err, errlen, "%s", errtext());
        goto done;
    }
    f = o.f;
    /* The large blocks through tsim__out_write, which keeps the reason of a failure. */
    tsim__out_write(&o, page_head, sizeof page_head - 1);
    tsim__out_write(&o, page_body, sizeof page_body - 1);
    fputs("<script id=\"data\" type=\"application/json\">{\"run\": ", f);
    put_embedded(f, json);
    sqlite3_finalize(st);
    st = NULL;
    fputs(", \"traces\": [", f);
    /* Traces of an earlier schema have no lo and hi columns: they are read as exact steps. */
    int ranges = tsim__sqlite_has_column(db, "exp_traces", "lo");
    if (sqlite3_prepare_v2(db, ranges ? "SELECT scen, name, t, v, lo, hi FROM exp_traces WHERE "
                                        "run=?1 ORDER BY scen, block"
                                      : "SELECT scen, name, t, v, NULL, NULL FROM exp_traces "
                                        "WHERE run=?1 ORDER BY scen, block",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, run);
        int first = 1;
        while (sqlite3_step(st) == SQLITE_ROW) {
            fprintf(f, "%s\n{\"scen\": %d, \"name\": \"", first ? "" : ",",
                    sqlite3_column_int(st, 0));
            const char *name = (const char *)sqlite3_column_text(st, 1);
            for (const char *p = name ? name : ""; *p; p++)
                if (*p != '"' && *p != '\\' && *p != '<' && (unsigned char)*p >= 0x20) fputc(*p, f);
            fputs("\", \"t\": ", f);
            put_doubles(f, sqlite3_column_blob(st, 2), sqlite3_column_bytes(st, 2));
            fputs(", \"v\": ", f);
            put_doubles(f, sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3));
            if (sqlite3_column_type(st, 4) == SQLITE_BLOB &&
                sqlite3_column_type(st, 5) == SQLITE_BLOB) {
                fputs(", \"lo\": ", f);
                put_doubles(f, sqlite3_column_blob(st, 4), sqlite3_column_bytes(st, 4));
                fputs(", \"hi\": ", f);
                put_doubles(f, sqlite3_column_blob(st, 5), sqlite3_column_bytes(st, 5));
            }
            fputc('}', f);
            first = 0;
        }
    }
    fputs("]}</script>\n", f);
    tsim__out_write(&o, page_script, sizeof page_script - 1);
    f = NULL;
    if (tsim__out_commit(&o) != 0) {
        snprintf(err, errlen, "%s", errtext());
        goto done;
    }
    rc = 0;
done:
    if (o.f) tsim__out_abandon(&o);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}
