(function(){
function key(td){var v=td.getAttribute('data-sort');return v===null?td.textContent.trim().toLowerCase():v;}
function sort(table,col,desc){
 var th=table.querySelector('th[data-col="'+col+'"]');if(!th)return;
 var i=Array.prototype.indexOf.call(th.parentNode.children,th),num=th.hasAttribute('data-num');
 var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
 rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);if(num){x=+x;y=+y;}
  var c=x<y?-1:x>y?1:0;return desc?-c:c;});
 rows.forEach(function(r){body.appendChild(r);});
 table.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});
 th.setAttribute('aria-sort',desc?'descending':'ascending');
}
document.querySelectorAll('table.sortable th[data-col]').forEach(function(th){
 th.tabIndex=0;
 function go(){sort(th.closest('table'),th.getAttribute('data-col'),th.getAttribute('aria-sort')==='ascending');}
 th.addEventListener('click',go);
 th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();go();}});
});
var m=/^#sort=(-?)([A-Za-z0-9_-]+)$/.exec(location.hash);
if(m)document.querySelectorAll('table.sortable').forEach(function(t){sort(t,m[2],m[1]==='-');});
})();
